package occasion

import (
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
)

// Defaults is the occasion set that ships with the project, for English and Persian audiences.
// Greetings ship switched off (a marketer switches on the ones the shop keeps); the Iranian
// days of mourning ship switched on, for Persian-speaking contacts and contacts in Iran: no
// promotion on them is the rule of the domain, not a choice each shop must remember to make.
// The lunar days come from the lunar table (package calendar), never from a formula.
func Defaults() []Occasion {
	greg := func(m, d int) *calendar.Rule {
		return &calendar.Rule{Gregorian: &calendar.MonthDay{Month: m, Day: d}}
	}
	persian := func(m, d int) *calendar.Rule {
		return &calendar.Rule{Persian: &calendar.MonthDay{Month: m, Day: d}}
	}
	lunar := func(m, d int) *calendar.Rule {
		return &calendar.Rule{Lunar: &calendar.MonthDay{Month: m, Day: d}}
	}
	weekday := func(cal string, m int, wd time.Weekday, nth, offset int) *calendar.Rule {
		w := calendar.Weekday(wd)
		return &calendar.Rule{Weekday: &calendar.WeekdayRule{Calendar: cal, Month: m, Weekday: &w, Nth: nth}, OffsetDays: offset}
	}
	en, fa := []string{"en"}, []string{"fa"}
	iran := []string{"IR"}
	greeting := func(id, design string, r *calendar.Rule, locales []string, nameEN, nameFA string) Occasion {
		return Occasion{ID: id, Kind: KindOccasion, Name: map[string]string{"en": nameEN, "fa": nameFA}, Rule: r,
			Locales: locales, Design: design, Default: true}
	}
	mourning := func(id string, r *calendar.Rule, nameEN, nameFA string) Occasion {
		return Occasion{ID: id, Kind: KindNoPromotion, Name: map[string]string{"en": nameEN, "fa": nameFA}, Rule: r,
			Enabled: true, Locales: fa, Countries: iran, Default: true}
	}
	return []Occasion{
		{ID: BirthdayID, Kind: KindBirthday, Name: map[string]string{"en": "Birthday", "fa": "تولد"}, Design: campaign.DesignBirthday, Default: true},
		greeting("new-year", campaign.DesignNewYear, greg(1, 1), en, "New Year", "سال نو میلادی"),
		greeting("valentines-day", campaign.DesignGeneric, greg(2, 14), en, "Valentine's Day", "روز ولنتاین"),
		greeting("mothers-day", campaign.DesignMothersDay, weekday("", 5, time.Sunday, 2, 0), en, "Mother's Day", "روز مادر"),
		greeting("black-friday", campaign.DesignBlackFriday, weekday("", 11, time.Thursday, 4, 1), en, "Black Friday", "جمعه سیاه"),
		greeting("christmas", campaign.DesignGeneric, greg(12, 25), en, "Christmas", "کریسمس"),
		greeting("nowruz", campaign.DesignNowruz, persian(1, 1), fa, "Nowruz", "نوروز"),
		greeting("sizdah-bedar", campaign.DesignNowruz, persian(1, 13), fa, "Sizdah Bedar", "سیزده\u200cبدر"),
		greeting("chaharshanbe-suri", campaign.DesignGeneric, weekday(calendar.Persian, 12, time.Tuesday, -1, 0), fa, "Chaharshanbe Suri", "چهارشنبه\u200cسوری"),
		greeting("yalda", campaign.DesignYalda, persian(9, 30), fa, "Yalda Night", "شب یلدا"),
		greeting("mothers-day-ir", campaign.DesignMothersDay, lunar(6, 20), fa, "Mother's Day", "روز مادر"),
		greeting("eid-al-fitr", campaign.DesignGeneric, lunar(10, 1), fa, "Eid al-Fitr", "عید فطر"),
		mourning("tasua", lunar(1, 9), "Tasua", "تاسوعا"),
		mourning("ashura", lunar(1, 10), "Ashura", "عاشورا"),
		mourning("arbaeen", lunar(2, 20), "Arbaeen", "اربعین"),
		mourning("demise-of-the-prophet", lunar(2, 28), "Demise of the Prophet", "رحلت پیامبر"),
		mourning("martyrdom-of-fatima", lunar(6, 3), "Martyrdom of Fatima", "شهادت حضرت فاطمه"),
		mourning("martyrdom-of-ali", lunar(9, 21), "Martyrdom of Imam Ali", "شهادت امام علی"),
		mourning("martyrdom-of-imam-sadiq", lunar(10, 25), "Martyrdom of Imam Sadiq", "شهادت امام صادق"),
	}
}
