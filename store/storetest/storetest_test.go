package storetest

import (
	"testing"

	"zhupei/recruit"
)

func TestSealer(t *testing.T) {
	a, b := Sealer(), Sealer()
	sealed, err := a.Seal("370102199001011234")
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := b.Open(sealed); err != nil || plain != "370102199001011234" {
		t.Errorf("a second Sealer opens %q as %q, %v", sealed, plain, err)
	}
	if recruit.IdentityIndex(a, recruit.IDTypeResident, "37010219900101123X") != recruit.IdentityIndex(b, recruit.IDTypeResident, "37010219900101123x") {
		t.Error("two Sealers give different blind indexes for one document")
	}
}
