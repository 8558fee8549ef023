package recruit

// msgBadPage is the refusal of a page size that is not positive.
const msgBadPage = "每页条数必须为正数"

// CheckPage refuses a year or a page size (limit) that is not positive, as
// the paged queries of the store take them.
func CheckPage(year, limit int) error {
	if err := CheckYear(year); err != nil {
		return err
	}
	if limit <= 0 {
		return Errorf(EINVALID, msgBadPage)
	}
	return nil
}
