package sandbox

import (
	"reflect"
	"testing"
)

func TestMessageParts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []part
	}{
		{"", nil},
		{"纯文本", []part{{Text: "纯文本"}}},
		{`请<a href="https://zp.example.cn/c?t=1&amp;x=2">确认</a>。`,
			[]part{{Text: "请"}, {Text: "确认", Link: "https://zp.example.cn/c?t=1&x=2"}, {Text: "。"}}},
		{`<a href="javascript:alert(1)">点我</a>`, []part{{Text: "点我"}}},
		{`<a href="http://a/">一</a><a href="http://b/">二</a>`, []part{{Text: "一", Link: "http://a/"}, {Text: "二", Link: "http://b/"}}},
	} {
		if got := messageParts(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("messageParts(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
