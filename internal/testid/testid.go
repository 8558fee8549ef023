// Package testid makes the ID numbers that several packages' tests bind.
package testid

// Resident returns a valid 居民身份证 number (GB 11643 check digit) for the
// 17 leading digits.
func Resident(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}
