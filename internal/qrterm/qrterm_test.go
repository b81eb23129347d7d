package qrterm

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteDrawsASquareCodeWithAQuietZone(t *testing.T) {
	var out bytes.Buffer
	if err := Write(&out, "otpauth://totp/awsmfa:alice?secret=JBSWY3DPEHPK3PXP&issuer=awsmfa"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	width := len([]rune(lines[0]))
	// Two modules per row: the height in rows is about half the width.
	if got := len(lines); got < width/2 || got > width/2+1 {
		t.Errorf("got %d rows for width %d, want about half", got, width)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n != width {
			t.Fatalf("row %d has %d columns, row 0 has %d", i, n, width)
		}
	}
	if strings.Trim(lines[0], "█") != "" {
		t.Errorf("first row should be all quiet zone (light), got %q", lines[0])
	}
	if !strings.Contains(out.String(), " ") {
		t.Error("no dark modules drawn")
	}
}

func TestWriteDiffersForDifferentContent(t *testing.T) {
	var a, b bytes.Buffer
	if err := Write(&a, "otpauth://totp/a?secret=AAAA"); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, "otpauth://totp/b?secret=BBBB"); err != nil {
		t.Fatal(err)
	}
	if a.String() == b.String() {
		t.Error("two different secrets drew the same code")
	}
}
