package recruit

import (
	"reflect"
	"strings"
	"testing"
)

// TestCatalogueCoversProfile checks that every field of the profile
// sections and of the choice, by its JSON name, has a catalogue entry of its
// section, and that the catalogue names nothing else but the fields that do
// not come from those structs.
func TestCatalogueCoversProfile(t *testing.T) {
	// Not in the structs' JSON: the ID number (kept with the binding only)
	// and the base of the choice (it selects the program).
	extra := map[string]bool{"id_number": true, "base": true}
	seen := map[string]bool{}
	for section, v := range map[Section]any{SectionBasic: Basic{}, SectionWork: Work{},
		SectionEducation: Education{}, SectionCertificates: Certificates{}, SectionChoice: Choice{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if key == "-" || (section == SectionEducation && key == "id") { // the record's own key
				continue
			}
			seen[key] = true
			f, ok := LookupField(key)
			if !ok || f.Section != section || f.Key != key || f.Label == "" {
				t.Errorf("%s.%s (%s): catalogue entry %+v, %v", typ.Name(), typ.Field(i).Name, key, f, ok)
			}
		}
	}
	labels := map[string]string{}
	for _, f := range catalogue {
		if !seen[f.Key] && !extra[f.Key] {
			t.Errorf("catalogue entry %+v is no field", f)
		}
		if other, dup := labels[f.Label]; dup {
			t.Errorf("label %q of %s and %s", f.Label, other, f.Key)
		}
		labels[f.Label] = f.Key
	}
}

func TestFieldLookups(t *testing.T) {
	if got := FieldLabel("graduation_date"); got != "毕业时间(或预计)" {
		t.Errorf("FieldLabel(graduation_date) = %q", got)
	}
	if _, ok := LookupField("nope"); ok {
		t.Error("LookupField(nope) found an entry")
	}
	var keys []string
	for _, f := range Fields(SectionChoice) {
		keys = append(keys, f.Key)
	}
	if strings.Join(keys, " ") != "base program_id accepts_adjustment" {
		t.Errorf("choice fields %v", keys)
	}
	n := 0
	for _, s := range []Section{SectionBasic, SectionWork, SectionEducation, SectionCertificates, SectionChoice} {
		n += len(Fields(s))
	}
	if n != len(catalogue) || Fields("nope") != nil {
		t.Errorf("the sections hold %d of %d fields", n, len(catalogue))
	}
	defer func() {
		if recover() == nil {
			t.Error("FieldLabel of an unknown key did not panic")
		}
	}()
	FieldLabel("nope")
}

func TestMobileLabel(t *testing.T) {
	for key, want := range map[string]string{"base": "报名基地", "program_id": "报名专业", SubmitChoice: "确定报考",
		"accepts_adjustment": "是否接受调剂", "gender": "性别"} {
		if got, ok := MobileLabel(key); !ok || got != want {
			t.Errorf("MobileLabel(%s) = %q, %v; want %q", key, got, ok, want)
		}
	}
	if _, ok := MobileLabel("nope"); ok {
		t.Error("MobileLabel(nope) found a label")
	}
}
