package store

import (
	"context"

	"zhupei/recruit"
)

// rekeyPage is how many file ids Rekey reads at a time.
const rekeyPage = 100

// Rekey reseals every file (uploads and generated forms) with the current
// file key of the store's Sealer, walking the files in id order, and
// returns how many it checked and how many it changed. It is idempotent
// and resumable: a file already sealed with the current key is left as it
// is, so running it again after an interruption only does what is left.
// A file deleted during the walk is skipped. progress, when not nil, is
// called after each page with the counts so far.
func Rekey(ctx context.Context, files recruit.Files, progress func(checked, changed int)) (checked, changed int, err error) {
	after := ""
	for {
		ids, err := files.FileIDs(ctx, after, rekeyPage)
		if err != nil {
			return checked, changed, err
		}
		for _, id := range ids {
			ok, err := files.ResealFile(ctx, id)
			if recruit.ErrorCode(err) == recruit.ENOTFOUND {
				continue
			}
			if err != nil {
				return checked, changed, recruit.WithOp("store.Rekey", err)
			}
			checked++
			if ok {
				changed++
			}
		}
		if len(ids) < rekeyPage {
			return checked, changed, nil
		}
		after = ids[len(ids)-1]
		if progress != nil {
			progress(checked, changed)
		}
	}
}
