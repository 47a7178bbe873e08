package dispatch_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/civicgrid/civicgrid/internal/auth"
	"github.com/civicgrid/civicgrid/internal/web/webtest"
)

// uploader posts a file (and form fields) to a page route as user, with an API token, without
// following the redirect; it returns the status, the body and the Location.
func uploader(t *testing.T, a *webtest.App, user string) func(path, name string, data []byte, fields map[string]string) (int, string, string) {
	t.Helper()
	ctx := context.Background()
	u, err := auth.UserByUsername(ctx, a.DB, user)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.CreateToken(ctx, a.DB, u.ID, "upload")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return func(path, name string, data []byte, fields map[string]string) (int, string, string) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", a.URL+path, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw), resp.Header.Get("Location")
	}
}
