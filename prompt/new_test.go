package prompt

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	for name, want := range map[string]Prompter{"": &auto{}, "auto": &auto{}, "gui": &gui{}, "terminal": &terminal{}} {
		p, err := New(name, Options{})
		if err != nil {
			t.Fatalf("New(%q): %v", name, err)
		}
		if got, want := fmt.Sprintf("%T", p), fmt.Sprintf("%T", want); got != want {
			t.Errorf("New(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestNewRejectsUnknownName(t *testing.T) {
	_, err := New("kdialog", Options{})
	if err == nil {
		t.Fatal("New(kdialog) succeeded")
	}
	for _, want := range []string{`"kdialog"`, "auto, gui, terminal"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	p, err := New("terminal", Options{})
	if err != nil {
		t.Fatal(err)
	}
	term := p.(*terminal)
	if term.timeout != DefaultTimeout || term.path != defaultTTYPath {
		t.Errorf("defaults: timeout %v path %q, want %v %q", term.timeout, term.path, DefaultTimeout, defaultTTYPath)
	}
	if DefaultTimeout >= 60*time.Second {
		t.Errorf("DefaultTimeout %v must stay below the Go SDK's 60 s credential_process limit", DefaultTimeout)
	}
}

func TestGUIRefusesWithoutDisplay(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("dialogs need no display check here")
	}
	p, err := New("gui", Options{
		Getenv:   func(string) string { return "" },
		LookPath: func(string) (string, error) { return "/usr/bin/zenity", nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.MFACode(t.Context(), Request{Profile: "dev"})
	if err == nil || errors.Is(err, ErrCanceled) || !strings.Contains(err.Error(), "DISPLAY") {
		t.Errorf("MFACode without a display = %v, want an error naming DISPLAY, not a cancel", err)
	}
}
