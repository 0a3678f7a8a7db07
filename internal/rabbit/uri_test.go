package rabbit

import "testing"

func TestResolvePrecedence(t *testing.T) {
	file := Addresses{URI: "amqp://file/", ManagementURI: "http://file/"}
	env := func(uri, mgmt string) func(string) string {
		return func(k string) string {
			switch k {
			case EnvURI:
				return uri
			case EnvManagementURI:
				return mgmt
			}
			return ""
		}
	}
	flag, empty := "amqp://flag/", ""
	for _, tc := range []struct {
		name   string
		file   Addresses
		getenv func(string) string
		flags  Override
		want   Addresses
	}{
		{"the file alone", file, env("", ""), Override{}, file},
		{"no getenv", file, nil, Override{}, file},
		{"the environment over the file", file, env("amqp://env/", "http://env/"), Override{},
			Addresses{URI: "amqp://env/", ManagementURI: "http://env/"}},
		{"one variable leaves the other field", file, env("", "http://env/"), Override{},
			Addresses{URI: "amqp://file/", ManagementURI: "http://env/"}},
		{"a flag over the environment", file, env("amqp://env/", "http://env/"), Override{URI: &flag},
			Addresses{URI: flag, ManagementURI: "http://env/"}},
		{"a flag set to empty clears the field to its default", file, env("amqp://env/", ""), Override{URI: &empty},
			Addresses{URI: "", ManagementURI: "http://file/"}},
		{"nothing anywhere", Addresses{}, env("", ""), Override{}, Addresses{}},
	} {
		if got := Resolve(tc.file, tc.getenv, tc.flags); got != tc.want {
			t.Errorf("%s: Resolve = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestAddressDefaults(t *testing.T) {
	var none Addresses
	if none.AMQP() != DefaultURI || none.Management() != DefaultManagementURI {
		t.Errorf("defaults: %q, %q", none.AMQP(), none.Management())
	}
	a := Addresses{URI: "amqps://ops:pw@rabbit.example.com:5671/prod"}
	if got := a.Management(); got != "https://ops:pw@rabbit.example.com:15671/" {
		t.Errorf("derived from amqps: %q", got)
	}
	a.ManagementURI = "http://given/"
	if got := a.Management(); got != "http://given/" {
		t.Errorf("given: %q", got)
	}
	if got := (Addresses{URI: "http://not-amqp/"}).Management(); got != "" {
		t.Errorf("from an unparsable AMQP URI: %q, want none", got)
	}
}

func TestManagementURIFor(t *testing.T) {
	for in, want := range map[string]string{
		"amqp://guest:guest@127.0.0.1:5672/":   "http://guest:guest@127.0.0.1:15672/",
		"amqp://u:p@rabbit:5673/vhost":         "http://u:p@rabbit:15672/",
		"amqps://u:p@rabbit.example.com:5671/": "https://u:p@rabbit.example.com:15671/",
		"amqp://rabbit/":                       "http://guest:guest@rabbit:15672/",
		"http://guest:guest@127.0.0.1:15672/":  "",
		"amqp://u:p@[::1]:5672/":               "http://u:p@[::1]:15672/",
	} {
		if got := ManagementURIFor(in); got != want {
			t.Errorf("ManagementURIFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsLoopbackAndVhost(t *testing.T) {
	for uri, want := range map[string]bool{
		"":                                   true,
		"amqp://guest:guest@127.0.0.1:5672/": true,
		"amqp://localhost/":                  true,
		"amqp://[::1]:5672/":                 true,
		"amqp://u:p@rabbit.example.com/":     false,
		"amqps://10.0.0.5:5671/":             false,
		"http://127.0.0.1/":                  false,
	} {
		if got := IsLoopback(uri); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", uri, got, want)
		}
	}
	for uri, want := range map[string]string{
		"amqp://127.0.0.1/":       "/",
		"amqp://127.0.0.1/orders": "orders",
		"amqp://127.0.0.1/%2Fa":   "/a",
		"http://127.0.0.1/":       "",
	} {
		if got := Vhost(uri); got != want {
			t.Errorf("Vhost(%q) = %q, want %q", uri, got, want)
		}
	}
}
