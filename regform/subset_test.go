package regform

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/signintech/gopdf"
	"github.com/signintech/gopdf/fontmaker/core"
)

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
	want := subsetRunes(append(formTexts(maximalForm(t)), fixedTexts...)...)
	glyphs, err := newGlyphSource(face)
	if err != nil {
		t.Fatal(err)
	}
	sub, covered, err := glyphs.subset(want)
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
	for _, r := range want {
		if unicode.Is(unicode.Han, r) && !covered[r] {
			t.Errorf("the subset lacks the Hanzi %q", r)
		}
	}
}

// rareName is a name with characters outside GB 2312 that the font has.
const rareName = "王喆堃"

// TestFontsForHasTheFormsCharacters checks a document's font maps every
// character the form prints, rare ones too, and nothing else.
func TestFontsForHasTheFormsCharacters(t *testing.T) {
	r := testRenderer(t)
	f := maximalForm(t)
	f.Profile.Basic.Name = rareName
	f.Profile.Education[2].School = "喆大学"
	fonts, err := r.fontsFor(f)
	if err != nil {
		t.Fatal(err)
	}
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, fonts); err != nil {
		t.Fatal(err)
	}
	if err := pdf.SetFont(fontFamily, "", bodySize); err != nil {
		t.Fatal(err)
	}
	for _, c := range subsetRunes(append(formTexts(f), fixedTexts...)...) {
		if ok, err := pdf.IsCurrFontContainGlyph(c); c >= ' ' && (err != nil || !ok) {
			t.Errorf("the document's font lacks %q", c)
		}
	}
	var face core.TTFParser
	if err := face.ParseFontData(testFace(t)); err != nil {
		t.Fatal(err)
	}
	for _, c := range "鑫龘" {
		if _, inFace := face.Chars()[int(c)]; !inFace {
			t.Fatalf("the test font lacks %q; pick another character", c)
		}
		if ok, _ := pdf.IsCurrFontContainGlyph(c); ok {
			t.Errorf("the document's font has %q, which the form does not print", c)
		}
	}
	text := squash(pdfText(t, mustRender(t, f)))
	for _, want := range []string{"喆大学", rareName} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %s", want)
		}
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
// the same with the document's font and with the full font, for a common
// and for a rare name.
func TestSubsetRendersLikeFullFont(t *testing.T) {
	full, err := parseFont(testFace(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", rareName} {
		f := maximalForm(t)
		if name != "" {
			f.Profile.Basic.Name = name
		}
		withSubset := mustRender(t, f)
		withFull, err := renderWith(full, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(withSubset) >= len(withFull) {
			t.Errorf("%s: the PDF with the document's font is %d bytes, with the full font %d", f.Profile.Basic.Name, len(withSubset), len(withFull))
		}
		if !bytes.Equal(rasterize(t, withSubset), rasterize(t, withFull)) {
			t.Errorf("%s: page 1 looks different with the document's font", f.Profile.Basic.Name)
		}
	}
}
