package handlers

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"zhupei/recruit"
)

// Uploads of the applicant: the ID photo (基本信息) and three certificate
// scans (证书信息). They are stored with the section they belong to (see
// commit) and served only to their owner (GET /apply/files/:id) and to the
// staff of the base of the owner's application (GET /api/v1/mp/files/:id,
// see staff.go).

// Size limits of uploads.
const (
	photoMinSize = 150 << 10
	maxFileSize  = 10 << 20
	// bodyLimit is the largest request the server reads: one file at the
	// limit plus the form around it.
	bodyLimit = 12 << 20
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

// Form fields of the uploads, the same names as the sections' JSON fields.
const (
	fieldPhoto          = "photo_id"
	fieldQualScan       = "qual_scan_id"
	fieldPractisingScan = "practising_scan_id"
	fieldDegreeScan     = "degree_scan_id"
)

// scanFields are the certificate scans in display order.
var scanFields = []string{fieldQualScan, fieldPractisingScan, fieldDegreeScan}

// fileSlot is one kind of upload.
type fileSlot struct {
	Field string
	Kind  string // recruit.File.Kind
	Label string
	check func([]byte) (contentType string, err error)
}

var fileSlots = map[string]fileSlot{
	fieldPhoto:          {fieldPhoto, "photo", "证件照片", checkPhoto},
	fieldQualScan:       {fieldQualScan, "qual_scan", "医师资格证书扫描件", checkScan},
	fieldPractisingScan: {fieldPractisingScan, "practising_scan", "执业医师资格证书扫描件", checkScan},
	fieldDegreeScan:     {fieldDegreeScan, "degree_scan", "最高学历证书扫描件", checkScan},
}

// servedKinds are the file kinds the file routes serve.
var servedKinds = map[string]bool{"photo": true, "qual_scan": true, "practising_scan": true, "degree_scan": true}

// scanID returns the field of ct holding the scan of field.
func scanID(ct *recruit.Certificates, field string) *string {
	switch field {
	case fieldPractisingScan:
		return &ct.PractisingScanID
	case fieldDegreeScan:
		return &ct.DegreeScanID
	}
	return &ct.QualScanID
}

func photoError(msg string) error { return recruit.Errorf(recruit.EINVALID, "%s", msg) }

// checkPhoto accepts an ID photo: a JPEG (by content, not name) of 150 KB to
// 10 MB, portrait (height/width 1.2–1.6) with a white background (judged on
// the border pixels).
func checkPhoto(data []byte) (string, error) {
	if http.DetectContentType(data) != "image/jpeg" {
		return "", photoError("照片格式必须为JPG")
	}
	switch {
	case len(data) < photoMinSize:
		return "", photoError("照片大小不能小于150KB")
	case len(data) > maxFileSize:
		return "", photoError("照片大小不能超过10MB")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", photoError("照片文件已损坏，无法识别")
	}
	if cfg.Width*cfg.Height > maxPhotoPixels {
		return "", photoError("照片像素过大，请压缩后上传")
	}
	if r := float64(cfg.Height) / float64(cfg.Width); r < minRatio || r > maxRatio {
		return "", photoError("照片须为竖版证件照（高宽比约为4:3至3:2）")
	}
	decodeSlots <- struct{}{}
	img, err := jpeg.Decode(bytes.NewReader(data))
	<-decodeSlots
	if err != nil {
		return "", photoError("照片文件已损坏，无法识别")
	}
	if whiteBorderShare(img) < whiteShare {
		return "", photoError("照片底色必须为白色")
	}
	return "image/jpeg", nil
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

// checkScan accepts a certificate scan: JPEG, PNG or PDF by content, at most
// 10 MB.
func checkScan(data []byte) (string, error) {
	if len(data) > maxFileSize {
		return "", recruit.Errorf(recruit.EINVALID, "扫描件大小不能超过10MB")
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return "application/pdf", nil
	}
	switch ct := http.DetectContentType(data); ct {
	case "image/jpeg", "image/png":
		return ct, nil
	}
	return "", recruit.Errorf(recruit.EINVALID, "扫描件格式必须为JPG、PNG或PDF")
}

// newUpload checks data for slot and returns the file to store, with a
// random id, owned by the applicant.
func (s *server) newUpload(a *applicant, slot fileSlot, data []byte) (recruit.File, error) {
	if len(data) == 0 {
		return recruit.File{}, recruit.Errorf(recruit.EINVALID, "请选择要上传的%s", slot.Label)
	}
	ct, err := slot.check(data)
	if err != nil {
		return recruit.File{}, err
	}
	return recruit.File{ID: randomToken(16), OwnerID: a.identity.ID, Kind: slot.Kind, ContentType: ct,
		Size: int64(len(data)), Data: data, CreatedAt: s.now()}, nil
}

// formFiles reads the uploaded files named fields from a multipart request;
// a field without a file is absent from the result.
func formFiles(c *fiber.Ctx, fields ...string) (map[string][]byte, error) {
	out := map[string][]byte{}
	form, err := c.MultipartForm()
	if err != nil {
		return out, nil // not multipart: no files
	}
	for _, field := range fields {
		hs := form.File[field]
		if len(hs) == 0 || hs[0].Size == 0 {
			continue
		}
		f, err := hs[0].Open()
		if err != nil {
			return nil, recruit.Internal(err)
		}
		buf := bytes.NewBuffer(make([]byte, 0, hs[0].Size))
		_, err = buf.ReadFrom(f)
		f.Close()
		if err != nil {
			return nil, recruit.Internal(err)
		}
		out[field] = buf.Bytes()
	}
	return out, nil
}

// errNoFile answers for a file that does not exist or that the caller may
// not see.
var errNoFile = recruit.Errorf(recruit.ENOTFOUND, "文件不存在")

// serveFile sends an uploaded file to its owner; anyone else gets 404, as
// if the file did not exist.
func (s *server) serveFile(c *fiber.Ctx) error {
	id := c.Params("id")
	if len(id) != 32 {
		return errNoFile
	}
	f, err := s.store.GetFile(c.UserContext(), id)
	if err != nil {
		return err
	}
	if sess := sessionOf(c); sess == nil || f.OwnerID != sess.IdentityID || !servedKinds[f.Kind] {
		return errNoFile
	}
	return sendFile(c, f)
}

// sendFile sends an uploaded file inline with its checked content type,
// which browsers must not second-guess, and never to a shared cache.
func sendFile(c *fiber.Ctx, f recruit.File) error {
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, "inline")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(f.Data)
}

// fileURL is where the owner sees a stored file ("" when none).
func fileURL(id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf("/apply/files/%s", id)
}
