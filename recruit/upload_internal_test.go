package recruit

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"zhupei/internal/testimg"
)

// TestTopRowsDecodesTheJudgedRowsAlike checks that decoding only the
// judged rows of the tests' photos gives the same pixels in those rows as
// the whole decode, and the same background verdict.
func TestTopRowsDecodesTheJudgedRowsAlike(t *testing.T) {
	photos := map[string][]byte{"Photo": testimg.Photo(t)}
	for _, set := range [][]testimg.Named{testimg.Realistic, testimg.Coloured} {
		for _, p := range set {
			photos[p.Name] = testimg.IDPhoto(t, p.Portrait)
		}
	}
	for name, data := range photos {
		whole, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		h := whole.Bounds().Dy()
		top, err := jpeg.Decode(topRows(data, judgedRows(h)))
		if err != nil {
			t.Fatalf("%s: the top rows do not decode: %v", name, err)
		}
		if got, want := top.Bounds(), image.Rect(0, 0, whole.Bounds().Dx(), judgedRows(h)); got != want {
			t.Fatalf("%s: decoded %v, want %v", name, got, want)
		}
		a, b := whole.(*image.YCbCr), top.(*image.YCbCr)
		for y := range judgedRows(h) {
			ca, cb := a.COffset(0, y), b.COffset(0, y)
			cw := a.CStride
			if !bytes.Equal(a.Y[a.YOffset(0, y):][:a.Rect.Dx()], b.Y[b.YOffset(0, y):][:b.Rect.Dx()]) ||
				!bytes.Equal(a.Cb[ca:min(ca+cw, len(a.Cb))], b.Cb[cb:min(cb+cw, len(b.Cb))]) ||
				!bytes.Equal(a.Cr[ca:min(ca+cw, len(a.Cr))], b.Cr[cb:min(cb+cw, len(b.Cr))]) {
				t.Fatalf("%s: row %d differs from the whole decode", name, y)
			}
		}
		if got, want := judgeBackground(top, h), judgeBackground(whole, h); got != want {
			t.Errorf("%s: background %+v from the top rows, %+v from the whole photo", name, got, want)
		}
	}
}
