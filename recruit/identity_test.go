package recruit

import "testing"

func TestMaskID(t *testing.T) {
	cases := map[string]string{
		"11010519491231002X": "110************02X",
		"370102199506151234": "370************234",
		"E12345678":          "E12***678",
		"1234567":            "123*567",
		"123456":             "******",
		"":                   "******",
		"甲乙丙丁戊己庚":            "甲乙丙*戊己庚",
	}
	for in, want := range cases {
		if got := MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (Identity{IDNumber: "11010519491231002X"}).MaskedID(); got != "110************02X" {
		t.Errorf("MaskedID = %q", got)
	}
}

func TestMaskName(t *testing.T) {
	cases := map[string]string{
		"李沛":   "李*",
		"欧阳娜娜": "欧阳**",
		"欧阳娜":  "欧阳*",
		"欧阳":   "欧*",
		"张三丰":  "张**",
		"李":    "李*",
		"":     "",
	}
	for in, want := range cases {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIdentityIndex(t *testing.T) {
	s, err := NewSealer("0123456789abcdef-test")
	if err != nil {
		t.Fatal(err)
	}
	a := IdentityIndex(s, IDTypeResident, "11010519491231002X")
	if a != s.Index(IDTypeResident+":11010519491231002X") {
		t.Fatal("IdentityIndex must index type:number")
	}
	if a != IdentityIndex(s, IDTypeResident, "11010519491231002x") {
		t.Fatal("the final x must index like X")
	}
	if a == IdentityIndex(s, IDTypePassport, "11010519491231002X") {
		t.Fatal("the same number under another type must index differently")
	}
}
