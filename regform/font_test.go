package regform

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signintech/gopdf"

	"zhupei/recruit"
)

func readTestTTC(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(testFontPath)
	if err != nil {
		t.Fatalf("the test needs fonts-wqy-microhei: %v", err)
	}
	return data
}

func TestExtractFirstFaceStructure(t *testing.T) {
	ttc := readTestTTC(t)
	face, err := extractFirstFace(ttc)
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.BigEndian.Uint32(face); v != sfntTrueType {
		t.Fatalf("sfnt version %#x, want %#x", v, sfntTrueType)
	}
	// The collection's face 0 and the extracted font list the same tables
	// with the same contents.
	src := int(binary.BigEndian.Uint32(ttc[12:]))
	n := int(binary.BigEndian.Uint16(face[4:]))
	if want := int(binary.BigEndian.Uint16(ttc[src+4:])); n != want {
		t.Fatalf("%d tables, face 0 has %d", n, want)
	}
	for i := 0; i < n; i++ {
		rec := face[tableDirStart+i*tableRecSize:]
		srcRec := ttc[src+tableDirStart+i*tableRecSize:]
		tag := string(rec[:4])
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if off%4 != 0 {
			t.Errorf("table %q at %d, not 4-byte aligned", tag, off)
		}
		srcOff, srcLen := binary.BigEndian.Uint32(srcRec[8:]), binary.BigEndian.Uint32(srcRec[12:])
		if tag != string(srcRec[:4]) || length != srcLen {
			t.Fatalf("record %d is %q/%d, face 0 has %q/%d", i, tag, length, srcRec[:4], srcLen)
		}
		got := append([]byte{}, face[off:off+uint32(pad4(int(length)))]...)
		want := ttc[srcOff : srcOff+srcLen]
		if tag == tagHead {
			// checkSumAdjustment is rewritten and counts as zero in the checksum.
			copy(got[8:12], want[8:12])
			if binary.BigEndian.Uint32(face[off+8:]) == 0 {
				t.Error("head.checkSumAdjustment not set")
			}
		}
		if string(got[:length]) != string(want) {
			t.Errorf("table %q differs from face 0", tag)
		}
		if tag == tagHead {
			binary.BigEndian.PutUint32(got[8:], 0)
		}
		if sum := checksum(got); sum != binary.BigEndian.Uint32(rec[4:]) {
			t.Errorf("table %q checksum %#x, recorded %#x", tag, sum, binary.BigEndian.Uint32(rec[4:]))
		}
	}
	if sum := checksum(face); sum != checkSumMagic {
		t.Errorf("whole-font checksum %#x, want %#x (head.checkSumAdjustment)", sum, uint32(checkSumMagic))
	}
}

func TestExtractFirstFaceParsesInGopdf(t *testing.T) {
	face, err := extractFirstFace(readTestTTC(t))
	if err != nil {
		t.Fatal(err)
	}
	fonts := new(gopdf.FontContainer)
	if err := fonts.AddTTFFontData(fontFamily, face); err != nil {
		t.Fatalf("gopdf rejects the extracted face: %v", err)
	}
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, fonts); err != nil {
		t.Fatal(err)
	}
	if err := pdf.SetFont(fontFamily, "", 10); err != nil {
		t.Fatal(err)
	}
	for _, r := range "0123456789住院医师规范化培训报名表" {
		if ok, err := pdf.IsCurrFontContainGlyph(r); err != nil || !ok {
			t.Errorf("extracted face has no glyph for %q (%v)", r, err)
		}
	}
}

func TestExtractFirstFaceRejectsBadData(t *testing.T) {
	ttc := readTestTTC(t)
	truncated := ttc[:4096] // the tables lie beyond
	notTTC := append([]byte("OTTO"), ttc[4:64]...)
	badOffset := append([]byte{}, ttc[:64]...)
	binary.BigEndian.PutUint32(badOffset[12:], 1<<30)
	for name, data := range map[string][]byte{"truncated": truncated, "not a collection": notTTC, "face offset out of range": badOffset, "empty": nil} {
		if _, err := extractFirstFace(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestNewUsesPlainTTF(t *testing.T) {
	face, err := extractFirstFace(readTestTTC(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "face0.ttf")
	if err := os.WriteFile(path, face, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := New(path)
	if err != nil {
		t.Fatalf("New(plain .ttf): %v", err)
	}
	if _, err := r.Render(minimalForm()); err != nil {
		t.Fatalf("Render with the plain .ttf: %v", err)
	}
}

// TestNewRejectsFontWithoutChinese checks a font lacking CJK glyphs (as
// one lacking ASCII digits) is refused at start rather than printing blanks.
func TestNewRejectsFontWithoutChinese(t *testing.T) {
	const latinOnly = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	if _, err := os.Stat(latinOnly); err != nil {
		t.Fatalf("the test needs fonts-dejavu-core: %v", err)
	}
	_, err := New(latinOnly)
	var re *recruit.Error
	if !errors.As(err, &re) || !strings.Contains(re.Message, "pdf.font_path") || !strings.Contains(re.Message, "字体缺少字符") {
		t.Fatalf("New(DejaVuSans) = %v, want a pdf.font_path error about missing characters", err)
	}
}
