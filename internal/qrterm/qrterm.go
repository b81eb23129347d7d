// Package qrterm draws QR codes with Unicode half blocks, so an
// authenticator app can scan a secret straight off the terminal.
package qrterm

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// quietZone is the white border scanners need around the code, in modules.
const quietZone = 2

// Write draws content as a QR code on w: two modules per text row, dark
// modules as spaces on a light background so it scans on dark terminals too.
func Write(w io.Writer, content string) error {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return fmt.Errorf("encoding QR code: %w", err)
	}
	size := code.Bounds().Dx()
	dark := func(x, y int) bool {
		if x < 0 || y < 0 || x >= size || y >= size {
			return false
		}
		return code.At(x, y) == color.Black
	}
	var b strings.Builder
	for y := -quietZone; y < size+quietZone; y += 2 {
		for x := -quietZone; x < size+quietZone; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune(' ')
			case top:
				b.WriteRune('▄')
			case bottom:
				b.WriteRune('▀')
			default:
				b.WriteRune('█')
			}
		}
		b.WriteByte('\n')
	}
	_, err = io.WriteString(w, b.String())
	return err
}
