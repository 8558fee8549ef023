package recruit

// Base is a training base (培训基地): a hospital that trains residents.
type Base struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	City string `json:"city"`
}

// Specialty is a training specialty (培训专业) with its national code.
type Specialty struct {
	Code  string `json:"code"`  // national code, e.g. "0100"
	Name  string `json:"name"`  // e.g. "内科"
	Group string `json:"group"` // clinical, dental or tcm
}

// Program is one base × specialty in one year with its plan and live counts.
// Registered counts active applications choosing the program; Admitted counts
// provisionally admitted plus admitted ones (the seats taken) and never
// exceeds Plan; Final counts the admitted (录取) ones among them, so
// Admitted − Final are still provisional (拟录取).
type Program struct {
	ID            int64  `json:"id"`
	Year          int    `json:"year"`
	BaseID        int64  `json:"base_id"`
	BaseName      string `json:"base_name"`
	SpecialtyCode string `json:"specialty_code"`
	SpecialtyName string `json:"specialty_name"`
	Plan          int    `json:"plan"`
	Registered    int    `json:"registered"`
	Admitted      int    `json:"admitted"`
	Final         int    `json:"final"`
}

// Provisional is the number of seats held by provisional admissions not
// yet confirmed (拟录取).
func (p Program) Provisional() int { return p.Admitted - p.Final }

// Counts are the live counters of a program (see Program).
type Counts struct {
	Registered int `json:"registered"`
	Admitted   int `json:"admitted"`
	Final      int `json:"final"`
}

// PlanRow is one line of a plan file: base × specialty with its plan number.
// Line is the 1-based line in the source file, for error messages.
type PlanRow struct {
	Line          int
	BaseName      string
	City          string
	SpecialtyCode string
	SpecialtyName string
	// SpecialtyGroup is clinical, dental or tcm; empty keeps what is stored.
	SpecialtyGroup string
	Plan           int
}

// ProgramFilter narrows a program listing. Zero values match everything.
type ProgramFilter struct {
	Year          int
	BaseID        int64
	SpecialtyCode string
}
