package notify_test

import (
	"strings"
	"testing"

	"zhupei/notify"
	"zhupei/recruit"
)

func TestConfigValidate(t *testing.T) {
	good := notify.Config{}.WithDefaults(true)
	if err := good.Validate(); err != nil {
		t.Fatalf("the sandbox defaults: %v", err)
	}
	if err := (notify.Config{}).WithDefaults(false).Validate(); err == nil || !strings.Contains(recruit.ErrorMessage(err), "缺少该类别的模板配置") {
		t.Errorf("live without templates: %v", err)
	}
	bad := func(edit func(*notify.Template)) error {
		c := notify.Config{}.WithDefaults(true)
		tpl := c.Templates[recruit.KindReviewFailed]
		tpl.Fields = append([]notify.Field(nil), tpl.Fields...)
		edit(&tpl)
		c.Templates[recruit.KindReviewFailed] = tpl
		return c.Validate()
	}
	cases := map[string]func(*notify.Template){
		"no id":           func(t *notify.Template) { t.ID = "" },
		"bad keyword":     func(t *notify.Template) { t.Fields[0].Keyword = "备注" },
		"twice":           func(t *notify.Template) { t.Fields[1].Keyword = t.Fields[0].Keyword },
		"unknown type":    func(t *notify.Template) { t.Fields[0].Type = "text" },
		"unknown source":  func(t *notify.Template) { t.Fields[0].Source = "place" },
		"time from thing": func(t *notify.Template) { t.Fields[0].Type = notify.TypeTime },
		"thing from time": func(t *notify.Template) { t.Fields[len(t.Fields)-1].Type = notify.TypeThing },
	}
	for name, edit := range cases {
		if err := bad(edit); recruit.ErrorCode(err) != recruit.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}
