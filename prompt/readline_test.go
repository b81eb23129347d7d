package prompt

import (
	"errors"
	"strings"
	"testing"
)

func TestReadLine(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{in: "123456\nrest", want: "123456"},
		{in: "123456\r\n", want: "123456"},
		{in: "123456", want: "123456"}, // Ctrl-D after input
		{in: "", err: ErrCanceled},     // Ctrl-D alone
	} {
		got, err := readLine(strings.NewReader(tc.in))
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("readLine(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestReadRawLine(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{in: "s3cret\r", want: "s3cret"},
		{in: "ab\x15s3cret\n", want: "s3cret"},   // Ctrl-U clears
		{in: "s3cr\u00e9\x7ft\r", want: "s3crt"}, // erase removes a whole rune
		{in: "abc\x03", err: ErrCanceled},        // Ctrl-C
		{in: "\x04", err: ErrCanceled},           // Ctrl-D alone
	} {
		got, err := readRawLine(strings.NewReader(tc.in))
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("readRawLine(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
