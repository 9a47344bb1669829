package liveview

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestPageIsSelfContained serves the page and checks that it loads only
// its own embedded files: no URL of another host in any of them, so it
// works offline.
func TestPageIsSelfContained(t *testing.T) {
	hs := httptest.NewServer(New(Options{}).Handler())
	defer hs.Close()
	for path, want := range map[string]string{"/": "app.js", "/app.js": "EventSource", "/style.css": "rect.t"} {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
	// The SVG namespace is a name, never fetched.
	external := regexp.MustCompile(`(https?:)?//[a-zA-Z0-9.-]+\.[a-z]{2,}`)
	err := fs.WalkDir(pageFiles, "page", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(pageFiles, path)
		if err != nil {
			return err
		}
		for _, m := range external.FindAllString(string(b), -1) {
			if m != "http://www.w3.org" {
				t.Errorf("%s refers to %s", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListenAddrDefaultsToLoopback(t *testing.T) {
	for _, c := range []struct {
		in, addr string
		public   bool
	}{
		{"8080", "127.0.0.1:8080", false},
		{":8080", "127.0.0.1:8080", false},
		{"127.0.0.1:0", "127.0.0.1:0", false},
		{"localhost:9000", "localhost:9000", false},
		{"[::1]:8080", "[::1]:8080", false},
		{"0.0.0.0:8080", "0.0.0.0:8080", true},
		{"192.168.1.5:80", "192.168.1.5:80", true},
	} {
		addr, public := ListenAddr(c.in)
		if addr != c.addr || public != c.public {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q, %v", c.in, addr, public, c.addr, c.public)
		}
	}
}
