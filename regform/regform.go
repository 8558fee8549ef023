// Package regform renders the registration form (报名表) as an A4 PDF with
// github.com/signintech/gopdf: a header with version, generation time,
// verification code, QR code and photo, then the profile sections as
// bordered tables, the choice, an integrity declaration and page numbers.
//
// The CJK font is parsed once by New; each document embeds a font cut from
// it with only the characters that document prints (see subset.go), which
// keeps the font data gopdf compresses per document small. A Renderer is
// safe for concurrent use.
package regform

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // decode the photo's JPEG header for its size
	"slices"
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
	glyphs *glyphSource
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
	r, err := loadFonts(fontPath)
	if err != nil {
		return nil, &recruit.Error{
			Code:    recruit.EINTERNAL,
			Message: fmt.Sprintf("未找到可用的中文字体（配置项 pdf.font_path）：%s：%v", fontPath, err),
			Err:     err,
		}
	}
	return r, nil
}

// fixedTexts are drawn on every form whatever its data, with the values of
// the option lists; every document's font has their characters.
var fixedTexts = slices.Concat(
	[]string{requiredGlyphs, photoPlaceholder, continuedMark, signatureLabel, dateLabel, pageNumberFormat},
	recruit.IDTypes, recruit.Genders, recruit.Ethnicities, recruit.PoliticalStatuses,
	recruit.OptionValues(recruit.PersonnelTypes), recruit.HospitalLevels, recruit.HospitalGrades,
	recruit.InstitutionCategories, recruit.Affiliations, recruit.Qualifications, recruit.Degrees,
	recruit.QualLevels, recruit.QualCategories, recruit.ForeignLangTypes, recruit.EnglishLevels,
)

func loadFonts(path string) (*Renderer, error) {
	data, err := loadFontFile(path)
	if err != nil {
		return nil, err
	}
	full, err := parseFont(data)
	if err != nil {
		return nil, err
	}
	if err := checkGlyphs(full); err != nil {
		return nil, err
	}
	glyphs, err := newGlyphSource(data)
	if err != nil {
		return nil, fmt.Errorf("无法读取字体：%w", err)
	}
	return &Renderer{glyphs: glyphs}, nil
}

func parseFont(data []byte) (*gopdf.FontContainer, error) {
	fonts := new(gopdf.FontContainer)
	if err := fonts.AddTTFFontData(fontFamily, data); err != nil {
		return nil, fmt.Errorf("无法解析字体：%w", err)
	}
	return fonts, nil
}

// checkGlyphs makes sure the font has the requiredGlyphs.
func checkGlyphs(fonts *gopdf.FontContainer) error {
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	if err := pdf.AddTTFFontFromFontContainer(fontFamily, fonts); err != nil {
		return err
	}
	if err := pdf.SetFont(fontFamily, "", bodySize); err != nil {
		return err
	}
	for _, r := range requiredGlyphs {
		if ok, err := pdf.IsCurrFontContainGlyph(r); err != nil || !ok {
			return fmt.Errorf("字体缺少字符 %q", r)
		}
	}
	return nil
}

// fontsFor returns a font cut from the full one with the characters f
// prints: its fixed texts and its data.
func (r *Renderer) fontsFor(f Form) (*gopdf.FontContainer, error) {
	data, _, err := r.glyphs.subset(subsetRunes(slices.Concat(fixedTexts, formTexts(f))...))
	if err != nil {
		return nil, fmt.Errorf("无法生成字体子集：%w", err)
	}
	return parseFont(data)
}

// Render returns the PDF of f. A photo that is not a readable JPEG gives
// an EINVALID error; anything else failing is EINTERNAL.
func (r *Renderer) Render(f Form) ([]byte, error) {
	fonts, err := r.fontsFor(f)
	if err != nil {
		return nil, recruit.Internal(err)
	}
	return renderWith(fonts, f)
}

// renderWith renders f with the given fonts.
func renderWith(fonts *gopdf.FontContainer, f Form) ([]byte, error) {
	var photo *photoImage
	if len(f.Photo) > 0 {
		var err error
		if photo, err = newPhotoImage(f.Photo); err != nil {
			return nil, &recruit.Error{Code: recruit.EINVALID, Message: "证件照片无法识别，请重新上传 JPG 格式的证件照片", Err: err}
		}
	}
	d, err := newDoc(fonts, f)
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
