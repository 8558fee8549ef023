package recruit

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"io"
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
// at least whiteShare of the sampled background pixels near white. A real
// ID photo has the shoulders on the bottom edge and the lower side edges
// and the hair close to the top, so only the top edge and the upper
// judgedSide of the side edges are judged, and a pixel counts as white when
// it is light and nearly neutral: off-white paper, a warm light and JPEG
// noise pass, a blue, red or grey backdrop does not.
const (
	minRatio    = 1.2
	maxRatio    = 1.6
	whiteShare  = 0.85
	judgedSide  = 2.0 / 3
	whiteMin    = 200 // every channel at least this (of 255)
	whiteSpread = 40  // and the channels at most this far apart
)

func photoError(msg string) error { return Errorf(EINVALID, "%s", msg) }

// CheckPhoto accepts an ID photo: a JPEG (by content, not name) of 150 KB to
// 10 MB, portrait (height/width 1.2–1.6) with a white background (judged on
// the top edge and the upper two thirds of the side edges). A photo whose
// header declares more than about 12.6 million pixels is refused before it
// is decoded, at most two photos are decoded at once, and of a baseline
// JPEG only the judged top two thirds are decoded. A refusal is an
// EINVALID *Error with a Chinese message; a coloured background is named
// (蓝色, 红色, 灰色).
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
	img, err := jpeg.Decode(topRows(data, judgedRows(cfg.Height)))
	<-decodeSlots
	if err != nil {
		return photoError("照片文件已损坏，无法识别")
	}
	if bg := judgeBackground(img, cfg.Height); bg.share < whiteShare {
		return photoError(bg.refusal())
	}
	return nil
}

// background is what the judged border of a photo shows: the share of
// near-white pixels and the mean colour of the others.
type background struct {
	share   float64
	r, g, b int // mean of the pixels that are not near white
}

// refusal names a background that is not white.
func (bg background) refusal() string {
	hi, lo := max(bg.r, bg.g, bg.b), min(bg.r, bg.g, bg.b)
	switch {
	case bg.b == hi && bg.b-max(bg.r, bg.g) >= 30:
		return "照片底色必须为白色，检测到蓝色背景，请更换白底证件照"
	case bg.r == hi && bg.r-max(bg.g, bg.b) >= 40:
		return "照片底色必须为白色，检测到红色背景，请更换白底证件照"
	case hi-lo <= whiteSpread:
		return "照片底色必须为白色，检测到灰色背景，请更换白底证件照"
	}
	return "照片底色必须为白色"
}

// judgedRows is how many rows from the top of a photo h pixels high
// judgeBackground looks at.
func judgedRows(h int) int { return int(float64(h-1)*judgedSide) + 1 }

// topRows reads the JPEG data as if its frame header declared only the
// first rows rows: the decoder then decodes the image data of those rows
// and skips the rest of each scan to the next marker, so the rows it
// returns are those of the whole image at a fraction of the work. The file
// must still end in a well-formed way (a truncated one fails to decode),
// but damage inside the skipped image data goes unnoticed. Only a baseline
// (sequential) JPEG is read so; a progressive one, or data whose frame
// header is not found before the first scan, is read as it is.
func topRows(data []byte, rows int) io.Reader {
	for i := 2; i+9 <= len(data) && data[i] == 0xFF; {
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xC0 || marker == 0xC1: // baseline SOF: length, precision, height
			if int(binary.BigEndian.Uint16(data[i+5:])) <= rows {
				break
			}
			var height [2]byte
			binary.BigEndian.PutUint16(height[:], uint16(rows))
			return io.MultiReader(bytes.NewReader(data[:i+5]), bytes.NewReader(height[:]), bytes.NewReader(data[i+7:]))
		case marker != 0xDA: // any other segment before the scan
			i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
			continue
		}
		break
	}
	return bytes.NewReader(data)
}

// judgeBackground samples a band (2% of the shorter side, at least one
// pixel) along the top edge and the upper judgedSide of both side edges of
// a photo h pixels high; img has at least its judgedRows(h) top rows.
func judgeBackground(img image.Image, h int) background {
	b := img.Bounds()
	w := b.Dx()
	band := max(min(w, h)/50, 1)
	side := int(float64(h-1) * judgedSide)
	const samples = 200 // per edge and band row
	var white, total, sr, sg, sb int
	sample := func(x, y int) {
		r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		r8, g8, b8 := int(r>>8), int(g>>8), int(bl>>8)
		total++
		if min(r8, g8, b8) >= whiteMin && max(r8, g8, b8)-min(r8, g8, b8) <= whiteSpread {
			white++
			return
		}
		sr, sg, sb = sr+r8, sg+g8, sb+b8
	}
	for d := 0; d < band; d++ {
		for i := 0; i < samples; i++ {
			x := i * (w - 1) / (samples - 1)
			y := i * side / (samples - 1)
			sample(x, d)
			sample(d, y)
			sample(w-1-d, y)
		}
	}
	out := background{share: float64(white) / float64(total)}
	if n := total - white; n > 0 {
		out.r, out.g, out.b = sr/n, sg/n, sb/n
	}
	return out
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
