package regform

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/signintech/gopdf/fontmaker/core"
)

func TestGB2312Set(t *testing.T) {
	var all, hanzi int
	seen := map[rune]bool{}
	for _, r := range strings.ReplaceAll(gb2312, "\n", "") {
		if seen[r] {
			t.Fatalf("%q listed twice", r)
		}
		seen[r] = true
		all++
		if unicode.Is(unicode.Han, r) && r >= 0x4E00 && r <= 0x9FFF {
			hanzi++
		}
	}
	// GB 2312 has 682 symbols and 6,763 Hanzi.
	if all != 7445 || hanzi != 6763 {
		t.Errorf("gb2312.txt has %d characters and %d Hanzi, want 7445 and 6763", all, hanzi)
	}
	for _, r := range "住院医师规范化培训招录报名表欧阳齐鲁" {
		if !seen[r] {
			t.Errorf("gb2312.txt lacks %q", r)
		}
	}
}

func testFace(t *testing.T) []byte {
	t.Helper()
	face, err := extractFirstFace(readTestTTC(t))
	if err != nil {
		t.Fatal(err)
	}
	return face
}

// TestSubsetFontGlyphs checks the subset maps every kept character to the
// same outline and advance as the full font, and is much smaller.
func TestSubsetFontGlyphs(t *testing.T) {
	face := testFace(t)
	want := subsetRunes(fixedTexts...)
	sub, covered, err := subsetFont(face, want)
	if err != nil {
		t.Fatal(err)
	}
	var full, small core.TTFParser
	if err := full.ParseFontData(face); err != nil {
		t.Fatal(err)
	}
	if err := small.ParseFontData(sub); err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if sum := checksum(sub); sum != checkSumMagic {
		t.Errorf("subset checksum %#x, want %#x", sum, uint32(checkSumMagic))
	}
	if len(sub)*3 > len(face) || small.NumGlyphs()*3 > full.NumGlyphs() {
		t.Errorf("subset has %d glyphs in %d bytes; the full face %d in %d", small.NumGlyphs(), len(sub), full.NumGlyphs(), len(face))
	}
	outline := func(p *core.TTFParser, g uint) []byte {
		glyf := p.GetTables()["glyf"]
		return p.FontData()[glyf.Offset+p.LocaTable[g] : glyf.Offset+p.LocaTable[g+1]]
	}
	fullChars, smallChars := full.Chars(), small.Chars()
	for _, r := range want {
		g, inFull := fullChars[int(r)]
		if covered[r] != inFull {
			t.Fatalf("%q: covered %v, in the full font %v", r, covered[r], inFull)
		}
		if !inFull {
			continue
		}
		sg, ok := smallChars[int(r)]
		if !ok {
			t.Fatalf("the subset does not map %q", r)
		}
		if small.Widths()[sg] != full.Widths()[g] {
			t.Errorf("%q: advance %d, full font %d", r, small.Widths()[sg], full.Widths()[g])
		}
		a, b := outline(&small, sg), outline(&full, g)
		if len(components(b)) == 0 && !bytes.Equal(a[:len(b)], b) {
			t.Errorf("%q: outline differs from the full font", r)
		}
	}
	for _, r := range strings.ReplaceAll(gb2312, "\n", "") {
		if unicode.Is(unicode.Han, r) && !covered[r] {
			t.Errorf("the subset lacks the GB 2312 Hanzi %q", r)
		}
	}
}

// rareName is a name with characters outside GB 2312 that the font has.
const rareName = "王喆堃"

func TestFontsForPicksFullFontForRareCharacters(t *testing.T) {
	r := testRenderer(t)
	for _, c := range "喆堃" {
		if r.covered[c] {
			t.Fatalf("%q is in the subset; pick another rare character", c)
		}
	}
	f := maximalForm(t)
	if r.fontsFor(f) != r.subset {
		t.Error("the maximal form does not use the subset")
	}
	f.Profile.Basic.Name = rareName
	if r.fontsFor(f) != r.full {
		t.Error("a name outside the subset does not use the full font")
	}
	f = maximalForm(t)
	f.Profile.Education[2].School = "喆大学"
	if r.fontsFor(f) != r.full {
		t.Error("a school outside the subset does not use the full font")
	}
	text := squash(pdfText(t, mustRender(t, f)))
	if !strings.Contains(text, "喆大学") {
		t.Error("PDF text lacks the rare school name")
	}
}

// rasterize returns page 1 of pdf as PNG at a low resolution.
func rasterize(t *testing.T, pdf []byte) []byte {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Fatalf("pdftoppm (poppler-utils) is required: %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "form.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	png, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	return png
}

// TestSubsetRendersLikeFullFont checks the printed page is pixel for pixel
// the same with the subset and with the full font.
func TestSubsetRendersLikeFullFont(t *testing.T) {
	r := testRenderer(t)
	f := maximalForm(t)
	withSubset, err := renderWith(r.subset, f)
	if err != nil {
		t.Fatal(err)
	}
	withFull, err := renderWith(r.full, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(withSubset) >= len(withFull) {
		t.Errorf("the PDF with the subset is %d bytes, with the full font %d", len(withSubset), len(withFull))
	}
	if !bytes.Equal(rasterize(t, withSubset), rasterize(t, withFull)) {
		t.Error("page 1 looks different with the subset")
	}
}
