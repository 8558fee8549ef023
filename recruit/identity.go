package recruit

import (
	"strings"
	"time"
)

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

// MaskName keeps the family name and masks the rest, one * per character:
// 李*, 张**, 欧阳** (a two-character family name of compoundSurnames is
// kept whole when a given name follows it).
func MaskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	keep := 1
	if len(r) > 2 && compoundSurnames[string(r[:2])] {
		keep = 2
	}
	out := append([]rune{}, r[:keep]...)
	for range r[keep:] {
		out = append(out, '*')
	}
	if len(r) == 1 {
		out = append(out, '*')
	}
	return string(out)
}

// compoundSurnames are the two-character family names (复姓) of the
// Hundred Family Surnames that MaskName keeps.
var compoundSurnames = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫
		宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙
		壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 梁丘 左丘 西门 第五 东里`) {
		m[s] = true
	}
	return m
}()

// IdentityIndex is the blind-index key of an ID number of a given type, used
// by stores to enforce one binding per document.
func IdentityIndex(s IDSealer, idType, number string) string {
	return s.Index(idType + ":" + number)
}
