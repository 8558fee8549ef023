package sim

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"time"

	"zhupei/recruit"
)

// regions are Shandong county codes (the first six digits of an ID number);
// the seed picks the one a run uses, so that a second run against the same
// server with another seed binds other numbers.
var regions = []string{"370102", "370103", "370202", "370203", "370602", "370702", "370802", "371302"}

// idBirthStart is the birth date of applicant 0; applicant i is born i/1000
// days later, with sequence number i%1000.
var idBirthStart = time.Date(1990, time.January, 1, 0, 0, 0, 0, time.UTC)

// MaxApplicants keeps every birth date in the 1990s.
const MaxApplicants = 3650 * 1000

// checkChars maps the GB 11643 weighted sum modulo 11 to the check character.
const checkChars = "10X98765432"

// idWeights are the GB 11643 weights of the first 17 digits.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDNumber returns the 居民身份证 number of applicant i (0 ≤ i <
// MaxApplicants) for a seed: distinct i give distinct numbers.
func IDNumber(seed int64, i int) string {
	region := regions[uint64(seed)%uint64(len(regions))]
	birth := idBirthStart.AddDate(0, 0, i/1000)
	body := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), i%1000)
	sum := 0
	for k, w := range idWeights {
		sum += int(body[k]-'0') * w
	}
	return body + string(checkChars[sum%11])
}

// Photo shape: a portrait of photoWidth×photoHeight (ratio 4:3) whose
// centre is noise, which JPEG cannot compress, so that the file is above
// the server's 150 KB minimum; the margin is white.
const (
	photoWidth   = 450
	photoHeight  = 600
	photoQuality = 97
)

// PhotoJPEG draws the ID photo every applicant uploads.
func PhotoJPEG() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, photoWidth, photoHeight))
	rng := rand.New(rand.NewSource(1))
	white := color.RGBA{255, 255, 255, 255}
	for y := 0; y < photoHeight; y++ {
		for x := 0; x < photoWidth; x++ {
			c := white
			if x > photoWidth/5 && x < photoWidth*4/5 && y > photoHeight/6 && y < photoHeight*5/6 {
				c = color.RGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: photoQuality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// surnames and givenNames make the applicants' real names.
var (
	surnames   = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
	givenNames = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平")
)

// PersonName is the real name of applicant i.
func PersonName(i int) string {
	return string([]rune{surnames[i%len(surnames)], givenNames[(i/len(surnames))%len(givenNames)], givenNames[i%len(givenNames)]})
}

// BasicSection is 基本信息 for an ID number: a 社会化 applicant whose
// gender and birth date agree with the number. Name and ID come from the
// binding and the photo from the upload, so they stay empty.
func BasicSection(i int, id string) (recruit.Basic, error) {
	birth, gender, ok := recruit.IDBirthGender(id)
	if !ok {
		return recruit.Basic{}, fmt.Errorf("applicant %d: generated ID number is invalid", i)
	}
	return recruit.Basic{
		Gender: gender, BirthDate: birth, Ethnicity: "汉族", Political: "群众",
		Phone: fmt.Sprintf("138%08d", i), Email: fmt.Sprintf("surge%d@example.com", i),
		PersonnelType: recruit.PersonnelSocial,
	}, nil
}

// WorkSection, EducationSection and CertificatesSection are the same for
// every applicant: no employer, a bachelor's degree and CET-6.
var (
	WorkSection      = recruit.Work{}
	EducationSection = recruit.Education{
		Level: recruit.EduBachelor, FullTime: true, School: "山东大学", Major: "临床医学",
		Qualification: "大学本科", StartDate: "2013-09-01", GraduationDate: "2018-07-01",
		HasDiploma: true, QualificationDate: "2018-07-01", DiplomaNo: "104221201805000123",
		Degree: "学士", HasDegreeCert: true, DegreeDate: "2018-07-01", DegreeCertNo: "4042212018000123",
	}
	CertificatesSection = recruit.Certificates{
		ForeignLangType: recruit.LangCollegeEng, EnglishLevel: "CET-6",
		ForeignLangCertNo: "CET6-2016-001", ForeignLangCertDate: "2016-06-01",
	}
)
