package recruit

import "time"

// ID types (证件类型).
const (
	IDTypeResident = "居民身份证"
	IDTypePassport = "护照"
	IDTypeHKMacau  = "港澳居民来往内地通行证"
	IDTypeTaiwan   = "台湾居民来往大陆通行证"
)

// IDTypes lists the accepted ID types in display order.
var IDTypes = []string{IDTypeResident, IDTypePassport, IDTypeHKMacau, IDTypeTaiwan}

// Identity is a real-name binding (实名认证): one WeChat account (OpenID) to one
// person. IDNumber is plain here; stores keep it encrypted with a blind index.
type Identity struct {
	ID       int64     `json:"id"`
	OpenID   string    `json:"-"`
	Name     string    `json:"name"`
	IDType   string    `json:"id_type"`
	IDNumber string    `json:"-"`
	BoundAt  time.Time `json:"bound_at"`
}

// MaskedID returns the ID number masked as lists show it: 370***********518.
func (i Identity) MaskedID() string { return MaskID(i.IDNumber) }

// MaskID masks all but the first three and last three characters.
func MaskID(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return "******"
	}
	out := make([]rune, len(r))
	for j := range r {
		if j < 3 || j >= len(r)-3 {
			out[j] = r[j]
		} else {
			out[j] = '*'
		}
	}
	return string(out)
}

// MaskName keeps the family name (first rune) and masks the rest: 李*, 欧**.
func MaskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	out := []rune{r[0]}
	for range r[1:] {
		out = append(out, '*')
	}
	if len(r) == 1 {
		out = append(out, '*')
	}
	return string(out)
}

// IdentityIndex is the blind-index key of an ID number of a given type, used
// by stores to enforce one binding per document.
func IdentityIndex(s IDSealer, idType, number string) string {
	return s.Index(idType + ":" + number)
}
