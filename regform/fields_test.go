package regform

import (
	"testing"

	"zhupei/recruit"
)

// TestFormPrintsCatalogueFields checks that the form prints every field of
// the catalogue once, by its catalogue key (so with its label) and in its
// section, except the photo, which is printed as the picture.
func TestFormPrintsCatalogueFields(t *testing.T) {
	f := maximalForm(t)
	f.Profile.Education = f.Profile.Education[:1]
	printed := map[string]int{}
	sectionOf := map[string]recruit.Section{}
	titles := map[string]recruit.Section{"一、基本信息": recruit.SectionBasic, "二、工作信息": recruit.SectionWork,
		"三、教育经历": recruit.SectionEducation, "四、证书信息": recruit.SectionCertificates, "五、报考志愿": recruit.SectionChoice}
	for _, s := range sections(f) {
		for _, r := range s.rows {
			for _, fd := range r.fields {
				printed[fd.key]++
				sectionOf[fd.key] = titles[s.title]
			}
		}
	}
	for _, s := range titles {
		for _, fd := range recruit.Fields(s) {
			if fd.Key == "photo_id" {
				continue
			}
			if printed[fd.Key] != 1 || sectionOf[fd.Key] != s {
				t.Errorf("%s (%s): printed %d times in section %q, want once in %q", fd.Key, fd.Label, printed[fd.Key], sectionOf[fd.Key], s)
			}
			delete(printed, fd.Key)
		}
	}
	for key := range printed {
		t.Errorf("printed field %q is not in the catalogue's sections", key)
	}
}
