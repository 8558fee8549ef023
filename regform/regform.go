// Package regform renders the registration form (报名表) as an A4 PDF with
// github.com/signintech/gopdf: a header with version, generation time,
// verification code, QR code and photo, then the profile sections as
// bordered tables, the choice, an integrity declaration and page numbers.
//
// The CJK font is parsed once by New; a Renderer is then safe for
// concurrent use.
package regform

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // decode the photo's JPEG header for its size
	"time"

	"github.com/signintech/gopdf"

	"zhupei/recruit"
)

// fontFamily is the name of the one font in every document.
const fontFamily = "cjk"

// requiredGlyphs must all be in the font: ASCII digits and letters are in
// every ID number and phone number, the CJK characters in every label.
const requiredGlyphs = "0123456789ABCDEFXabcdefx@.-年山东省报名表（）：，。"

// Renderer renders registration forms. It holds the parsed font.
type Renderer struct {
	fonts *gopdf.FontContainer
}

// Form is everything printed on one registration form.
type Form struct {
	Year        int
	GeneratedAt time.Time
	Version     int    // application version
	VerifyCode  string // printed and part of VerifyURL
	VerifyURL   string // encoded in the QR code; none when empty
	Profile     recruit.Profile
	Photo       []byte // JPEG; nil prints an empty photo box

	BaseName          string
	SpecialtyName     string
	AcceptsAdjustment bool
	State             recruit.State
}

// New loads the TrueType font (.ttf, or the first face of a .ttc) at
// fontPath, checks it covers ASCII and Chinese, and parses it once for all
// later renders.
func New(fontPath string) (*Renderer, error) {
	fonts, err := loadFonts(fontPath)
	if err != nil {
		return nil, &recruit.Error{
			Code:    recruit.EINTERNAL,
			Message: fmt.Sprintf("未找到可用的中文字体（配置项 pdf.font_path）：%s：%v", fontPath, err),
			Err:     err,
		}
	}
	return &Renderer{fonts: fonts}, nil
}

func loadFonts(path string) (*gopdf.FontContainer, error) {
	data, err := loadFontFile(path)
	if err != nil {
		return nil, err
	}
	fonts := new(gopdf.FontContainer)
	if err := fonts.AddTTFFontData(fontFamily, data); err != nil {
		return nil, fmt.Errorf("无法解析字体：%w", err)
	}
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, fonts); err != nil {
		return nil, err
	}
	if err := pdf.SetFont(fontFamily, "", bodySize); err != nil {
		return nil, err
	}
	for _, r := range requiredGlyphs {
		if ok, err := pdf.IsCurrFontContainGlyph(r); err != nil || !ok {
			return nil, fmt.Errorf("字体缺少字符 %q", r)
		}
	}
	return fonts, nil
}

// Render returns the PDF of f. A photo that is not a readable JPEG gives
// an EINVALID error; anything else failing is EINTERNAL.
func (r *Renderer) Render(f Form) ([]byte, error) {
	var photo *photoImage
	if len(f.Photo) > 0 {
		var err error
		if photo, err = newPhotoImage(f.Photo); err != nil {
			return nil, &recruit.Error{Code: recruit.EINVALID, Message: "证件照片无法识别，请重新上传 JPG 格式的证件照片", Err: err}
		}
	}
	d, err := newDoc(r.fonts, f)
	if err != nil {
		return nil, recruit.Internal(err)
	}
	if err := d.render(f, photo); err != nil {
		return nil, recruit.Internal(err)
	}
	var buf bytes.Buffer
	if _, err := d.pdf.WriteTo(&buf); err != nil {
		return nil, recruit.Internal(err)
	}
	return buf.Bytes(), nil
}

// photoImage is a JPEG photo with its pixel size. It implements
// gopdf.ImageHolder without hashing the bytes: a form has one photo.
type photoImage struct {
	*bytes.Reader
	width, height int
}

func newPhotoImage(b []byte) (*photoImage, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	if format != "jpeg" || cfg.Width == 0 || cfg.Height == 0 {
		return nil, fmt.Errorf("photo is %s %dx%d, want a JPEG", format, cfg.Width, cfg.Height)
	}
	return &photoImage{Reader: bytes.NewReader(b), width: cfg.Width, height: cfg.Height}, nil
}

// ID identifies the image inside one document.
func (p *photoImage) ID() string { return "photo" }
