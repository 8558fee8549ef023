package recruit

import (
	"bytes"
	"image"
	"image/jpeg"
	"net/http"
)

// The checks of the applicant's uploads (seed 6.1, 6.4): the ID photo of
// 基本信息 and the certificate scans of 证书信息. They look at the bytes
// only, never at a file name or a declared content type.

// Size limits of uploads.
const (
	// PhotoMinSize is the smallest photo accepted (150 KB).
	PhotoMinSize = 150 << 10
	// MaxUploadSize is the largest photo or scan accepted (10 MB).
	MaxUploadSize = 10 << 20
	// maxPhotoPixels bounds the decoded photo: a phone camera's 12 MP
	// passes. Decoding a progressive JPEG costs about 15 bytes a pixel, so
	// one decode stays under about 200 MB.
	maxPhotoPixels = 12_600_000
	// photoDecodes is how many photos are decoded at once; more wait, so a
	// burst of large (or hostile) uploads cannot exhaust memory.
	photoDecodes = 2
)

// decodeSlots limits concurrent photo decodes to photoDecodes.
var decodeSlots = make(chan struct{}, photoDecodes)

// Photo shape and background: height/width between minRatio and maxRatio;
// at least whiteShare of the sampled border pixels near white.
const (
	minRatio    = 1.2
	maxRatio    = 1.6
	whiteShare  = 0.9
	whiteMin    = 200 // every channel at least this (of 255)
	whiteSpread = 40  // and the channels at most this far apart
)

func photoError(msg string) error { return Errorf(EINVALID, "%s", msg) }

// CheckPhoto accepts an ID photo: a JPEG (by content, not name) of 150 KB to
// 10 MB, portrait (height/width 1.2–1.6) with a white background (judged on
// the border pixels). A photo whose header declares more than about 12.6
// million pixels is refused before it is decoded, and at most two photos are
// decoded at once. A refusal is an EINVALID *Error with a Chinese message.
func CheckPhoto(data []byte) error {
	if http.DetectContentType(data) != "image/jpeg" {
		return photoError("照片格式必须为JPG")
	}
	switch {
	case len(data) < PhotoMinSize:
		return photoError("照片大小不能小于150KB")
	case len(data) > MaxUploadSize:
		return photoError("照片大小不能超过10MB")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return photoError("照片文件已损坏，无法识别")
	}
	if cfg.Width*cfg.Height > maxPhotoPixels {
		return photoError("照片像素过大，请压缩后上传")
	}
	if r := float64(cfg.Height) / float64(cfg.Width); r < minRatio || r > maxRatio {
		return photoError("照片须为竖版证件照（高宽比约为4:3至3:2）")
	}
	decodeSlots <- struct{}{}
	img, err := jpeg.Decode(bytes.NewReader(data))
	<-decodeSlots
	if err != nil {
		return photoError("照片文件已损坏，无法识别")
	}
	if whiteBorderShare(img) < whiteShare {
		return photoError("照片底色必须为白色")
	}
	return nil
}

// whiteBorderShare samples the pixels of a band along the four edges (2% of
// the shorter side, at least one pixel) and returns the share near white.
func whiteBorderShare(img image.Image) float64 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	band := min(w, h) / 50
	if band < 1 {
		band = 1
	}
	const samples = 200 // per edge and band row
	var white, total int
	sample := func(x, y int) {
		r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		r8, g8, b8 := int(r>>8), int(g>>8), int(bl>>8)
		total++
		if min(r8, g8, b8) >= whiteMin && max(r8, g8, b8)-min(r8, g8, b8) <= whiteSpread {
			white++
		}
	}
	for d := 0; d < band; d++ {
		for i := 0; i < samples; i++ {
			x := i * (w - 1) / (samples - 1)
			y := i * (h - 1) / (samples - 1)
			sample(x, d)
			sample(x, h-1-d)
			sample(d, y)
			sample(w-1-d, y)
		}
	}
	return float64(white) / float64(total)
}

// CheckScan accepts a certificate scan: JPEG, PNG or PDF by content, at most
// 10 MB, and returns its content type. A refusal is an EINVALID *Error.
func CheckScan(data []byte) (contentType string, err error) {
	if len(data) > MaxUploadSize {
		return "", Errorf(EINVALID, "扫描件大小不能超过10MB")
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return "application/pdf", nil
	}
	switch ct := http.DetectContentType(data); ct {
	case "image/jpeg", "image/png":
		return ct, nil
	}
	return "", Errorf(EINVALID, "扫描件格式必须为JPG、PNG或PDF")
}
