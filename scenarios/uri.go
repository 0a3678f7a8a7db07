package scenarios

import "net/url"

// RedactURI hides the password in a broker URI ("amqp://guest:xxxxx@host/"),
// so it can be printed, logged and written to results. A string that does not
// parse is returned with everything between "://" and "@" hidden.
func RedactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return redactRaw(uri)
	}
	if u.User == nil {
		return uri
	}
	if _, has := u.User.Password(); !has {
		return uri
	}
	u.User = url.UserPassword(u.User.Username(), "xxxxx")
	return u.String()
}

func redactRaw(s string) string {
	start := 0
	for i := 0; i+3 <= len(s); i++ {
		if s[i:i+3] == "://" {
			start = i + 3
			break
		}
	}
	for i := len(s) - 1; i >= start; i-- {
		if s[i] == '@' {
			return s[:start] + "xxxxx" + s[i:]
		}
	}
	return s
}
