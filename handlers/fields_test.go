package handlers

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"zhupei/apply"
	"zhupei/recruit"
	"zhupei/web"
)

// TestFormsUseCatalogueLabels checks that every input of the applicant's
// forms and every upload is a catalogued field of its section shown with the
// catalogue's label.
func TestFormsUseCatalogueLabels(t *testing.T) {
	for section, defs := range map[recruit.Section][]fieldDef{recruit.SectionBasic: basicFields,
		recruit.SectionWork: workFields, recruit.SectionEducation: educationFields,
		recruit.SectionCertificates: certificateFields} {
		for _, d := range defs {
			if f, ok := recruit.LookupField(d.Name); !ok || f.Section != section || d.Label != f.Label {
				t.Errorf("%s input %s %q: catalogue %+v, %v", section, d.Name, d.Label, f, ok)
			}
		}
	}
	for _, field := range append([]string{apply.FieldPhoto}, apply.ScanFields...) {
		slot, _ := apply.SlotOf(field)
		if f, ok := recruit.LookupField(field); !ok || slot.Label != f.Label {
			t.Errorf("upload %s %q: catalogue %+v, %v", field, slot.Label, f, ok)
		}
	}
}

// labelText matches the text of the elements that name a field.
var labelText = regexp.MustCompile(`<(label|dt|th)\b[^>]*>([^<]*)</|alt="([^"]*)"`)

// TestTemplatesUseCatalogueLabels checks that the pages showing an
// applicant's data name no catalogued field with a literal label: they
// read it with {{label "key"}}.
func TestTemplatesUseCatalogueLabels(t *testing.T) {
	labels := map[string]string{}
	for _, s := range []recruit.Section{recruit.SectionBasic, recruit.SectionWork, recruit.SectionEducation,
		recruit.SectionCertificates, recruit.SectionChoice} {
		for _, f := range recruit.Fields(s) {
			labels[f.Label] = f.Key
		}
	}
	tpl := web.Templates()
	names, err := fs.Glob(tpl, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range names {
		if !strings.HasPrefix(name, "apply_") && name != "preview.html" && name != "result_mine.html" {
			continue
		}
		raw, err := fs.ReadFile(tpl, name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, m := range labelText.FindAllStringSubmatch(string(raw), -1) {
			text := strings.TrimSpace(m[2] + m[3])
			if key, ok := labels[text]; ok {
				t.Errorf("%s: literal label %q; want {{label %q}}", name, text, key)
			}
		}
	}
	if checked != 8 {
		t.Errorf("checked %d templates, want the applicant's pages", checked)
	}
	if _, err := fieldLabel("nope"); err == nil {
		t.Error(`{{label "nope"}} does not fail`)
	}
}
