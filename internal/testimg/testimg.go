// Package testimg draws the images that several packages' tests upload:
// ID photos of a given size, background and JPEG quality.
package testimg

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math/rand"
	"testing"
)

// White is the background of an acceptable ID photo.
var White = color.RGBA{255, 255, 255, 255}

// JPEG draws a w×h JPEG: a background of bg around a noisy centre (noise
// makes the file large), quality q.
func JPEG(t testing.TB, w, h int, bg color.RGBA, q int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: bg}, image.Point{}, draw.Src)
	rng := rand.New(rand.NewSource(int64(w*h + q)))
	centre := image.Rect(w/5+1, h/6+1, w*4/5, h*5/6)
	for y := centre.Min.Y; y < centre.Max.Y; y++ {
		for x := centre.Min.X; x < centre.Max.X; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Photo is a 540×720 white-background JPEG above 150 KB: an ID photo that
// recruit.CheckPhoto accepts.
func Photo(t testing.TB) []byte {
	t.Helper()
	p := JPEG(t, 540, 720, White, 97)
	if len(p) < 150<<10 {
		t.Fatalf("test photo too small: %d bytes", len(p))
	}
	return p
}
