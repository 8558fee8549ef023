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

// Portrait describes a generated head-and-shoulders ID photo.
type Portrait struct {
	W, H       int
	Background color.RGBA
	Quality    int
	// HairGap is the distance in pixels from the top edge to the hair.
	HairGap int
}

// IDPhoto draws p as a JPEG: a background of p.Background with a little
// sensor noise, dark hair p.HairGap pixels below the top edge, a face, and
// shoulders that cover the whole bottom edge and the lowest fifth of the
// side edges, as in a real 证件照.
func IDPhoto(t testing.TB, p Portrait) []byte {
	t.Helper()
	w, h := p.W, p.H
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewSource(int64(w*h+p.Quality) + int64(p.Background.R)<<8 + int64(p.Background.B)))
	jitter := func(c color.RGBA, n int) color.RGBA {
		ch := func(v uint8) uint8 { return uint8(max(0, min(255, int(v)+rng.Intn(2*n+1)-n))) }
		return color.RGBA{ch(c.R), ch(c.G), ch(c.B), 255}
	}
	in := func(x, y int, cx, cy, rx, ry float64) bool {
		dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
		return dx*dx+dy*dy <= 1
	}
	fw, fh := float64(w), float64(h)
	hairTop := float64(p.HairGap)
	skin, hair, cloth := color.RGBA{224, 180, 150, 255}, color.RGBA{30, 24, 20, 255}, color.RGBA{40, 50, 70, 255}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.RGBA
			switch {
			case in(x, y, fw/2, fh*1.05, fw*0.6, fh*0.45):
				c = jitter(cloth, 40)
			case in(x, y, fw/2, hairTop+fh*0.25, fw*0.19, fh*0.19):
				c = jitter(skin, 40)
			case in(x, y, fw/2, hairTop+fh*0.2, fw*0.23, fh*0.2):
				c = jitter(hair, 30)
			case float64(x) > fw*0.42 && float64(x) < fw*0.58 && float64(y) > hairTop+fh*0.4:
				c = jitter(skin, 40) // the neck
			default:
				c = jitter(p.Background, 4)
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: p.Quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Backgrounds of ID photos: the warm white of a studio lamp, and the
// coloured backdrops that must be refused.
var (
	WarmWhite = color.RGBA{250, 243, 230, 255}
	Blue      = color.RGBA{67, 142, 219, 255}
	Red       = color.RGBA{200, 30, 40, 255}
	Grey      = color.RGBA{170, 170, 172, 255}
)

// Named is a generated photo with what it shows.
type Named struct {
	Name string
	Portrait
}

// Realistic are white-background ID photos as applicants bring them, each
// above 150 KB and under 10 MB; all of them must be accepted.
var Realistic = []Named{
	{"肩部触及底边", Portrait{W: 600, H: 800, Background: White, Quality: 92, HairGap: 40}},
	{"头发接近顶边", Portrait{W: 600, H: 800, Background: White, Quality: 92, HairGap: 4}},
	{"偏暖的白色", Portrait{W: 600, H: 800, Background: WarmWhite, Quality: 92, HairGap: 30}},
	{"高压缩JPEG", Portrait{W: 1800, H: 2400, Background: White, Quality: 20, HairGap: 60}},
	{"手机拍摄3000×4000", Portrait{W: 3000, H: 4000, Background: color.RGBA{246, 246, 243, 255}, Quality: 88, HairGap: 200}},
}

// Coloured are the same photo on the backdrops that must be refused.
var Coloured = []Named{
	{"蓝色背景", Portrait{W: 600, H: 800, Background: Blue, Quality: 92, HairGap: 30}},
	{"红色背景", Portrait{W: 600, H: 800, Background: Red, Quality: 92, HairGap: 30}},
	{"灰色背景", Portrait{W: 600, H: 800, Background: Grey, Quality: 92, HairGap: 30}},
}
