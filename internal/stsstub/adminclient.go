package stsstub

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// AdminCode asks the stand-in at baseURL for the code the device serial shows
// now. It lets a scripted prompt in another process answer like a user.
func AdminCode(ctx context.Context, baseURL, serial string) (string, error) {
	endpoint := strings.TrimSuffix(baseURL, "/") + adminPrefix + "totp?serial=" + url.QueryEscape(serial)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("stsstub admin: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return strings.TrimSpace(string(body)), nil
}
