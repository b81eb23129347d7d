//go:build unix && !linux

package nodump

func disable() error { return noCoreLimit() }
