package recruit

import (
	"errors"
	"strings"
	"testing"
)

// wantInvalidOrNil fails unless err is nil or an EINVALID *Error with a message.
func wantInvalidOrNil(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID || e.Message == "" {
		t.Fatalf("want nil or EINVALID with a message, got %#v", err)
	}
}

func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "110105194912310021", makeID("370102", "19950615", "123"),
		"", "E12345678", "H12345678", "12345678", "１１０１０５１９４９１２３１００２Ｘ", "\xff\xfe", "370102202407060019",
	} {
		f.Add(s)
	}
	types := append([]string{"其他"}, IDTypes...)
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range types {
			wantInvalidOrNil(t, ValidateIDNumberAt(typ, s, testNow))
		}
		birth, gender, ok := IDBirthGender(s)
		if ValidateIDNumberAt(IDTypeResident, s, testNow) != nil {
			if ok && birth <= "2024-07-05" {
				t.Fatalf("IDBirthGender accepts %q that the validator refuses", s)
			}
			return
		}
		if len(s) != 18 || strings.Trim(s[:17], "0123456789") != "" {
			t.Fatalf("accepted %q: want 17 digits and a check character", s)
		}
		if got, want := strings.ToUpper(s[17:]), string(refIDCheck(s[:17])); got != want {
			t.Fatalf("accepted %q with check %s, want %s", s, got, want)
		}
		wantGender := "女"
		if (s[16]-'0')%2 == 1 {
			wantGender = "男"
		}
		wantBirth := s[6:10] + "-" + s[10:12] + "-" + s[12:14]
		if !ok || birth != wantBirth || gender != wantGender {
			t.Fatalf("IDBirthGender(%q) = %q %q %v, want %q %q", s, birth, gender, ok, wantBirth, wantGender)
		}
	})
}

func FuzzValidateCreditCode(f *testing.F) {
	for _, s := range []string{
		"91350100M000100Y43", "91350100M000100Y44", "D2143569X", "D2143569-X", "D21435690",
		"", "9135010中M000100Y43", "91350100m000100y43", "\x00\x00\x00\x00\x00\x00\x00\x00-\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCreditCode(s)
		wantInvalidOrNil(t, err)
		if err != nil {
			return
		}
		switch {
		case len(s) == 18:
			const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"
			if strings.Trim(s, cs) != "" {
				t.Fatalf("accepted %q with characters outside the GB 32100 set", s)
			}
			if want := refCreditCheck(s[:17]); s[17] != want {
				t.Fatalf("accepted %q with check %c, want %c", s, s[17], want)
			}
		case len(s) == 9 || (len(s) == 10 && s[8] == '-'):
			if strings.Trim(s[:8], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
				t.Fatalf("accepted organization code %q with illegal characters", s)
			}
			if want := refOrgCheck(s[:8]); s[len(s)-1] != want {
				t.Fatalf("accepted organization code %q with check %c, want %c", s, s[len(s)-1], want)
			}
		default:
			t.Fatalf("accepted %q of length %d", s, len(s))
		}
	})
}
