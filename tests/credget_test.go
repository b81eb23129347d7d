package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// credgetMain is the program `credget CASE...` in scripts: a client of the
// credentials server named by AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN, as `awsmfa exec --server` or `serve`
// set them. Each case sends one request and prints "CASE STATUS BODY":
//
//	ok     the request an SDK sends; BODY lists the reply's non-empty
//	       fields and its Expiration, never a secret
//	none   without the token
//	wrong  with a wrong token of the same length
//	host   with the right token, addressed to another host name (what a
//	       web page's request looks like after DNS rebinding)
//	big    with the right token and a 64 KiB header
//	post   a POST with a body, with the right token
//
// and "advance:DURATION" moves the script's STS stand-in's clock, which the
// server tells time by, so that a script can drive it from inside a command.
func credgetMain() {
	uri, token := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"), os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	if uri == "" || token == "" {
		fmt.Fprintln(os.Stderr, "credget: AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN must be set")
		os.Exit(2)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, c := range os.Args[1:] {
		if d, ok := strings.CutPrefix(c, "advance:"); ok {
			if err := credgetAdvance(d); err != nil {
				fmt.Fprintf(os.Stderr, "credget %s: %v\n", c, err)
				os.Exit(1)
			}
			fmt.Printf("advanced %s\n", d)
			continue
		}
		status, body, err := credget(client, c, uri, token)
		if err != nil {
			fmt.Fprintf(os.Stderr, "credget %s: %v\n", c, err)
			os.Exit(1)
		}
		fmt.Printf("%s %d %s\n", c, status, body)
	}
}

func credget(client *http.Client, c, uri, token string) (int, string, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if c == "post" {
		method, body = http.MethodPost, strings.NewReader("x=1")
	}
	req, err := http.NewRequest(method, uri, body)
	if err != nil {
		return 0, "", err
	}
	switch c {
	case "ok", "post":
		req.Header.Set("Authorization", token)
	case "none":
	case "wrong":
		req.Header.Set("Authorization", strings.Repeat("x", len(token)))
	case "host":
		req.Header.Set("Authorization", token)
		u, err := url.Parse(uri)
		if err != nil {
			return 0, "", err
		}
		req.Host = "rebound.example:" + u.Port()
	case "big":
		req.Header.Set("Authorization", token)
		req.Header.Set("X-Padding", strings.Repeat("p", 64<<10))
	default:
		return 0, "", fmt.Errorf("unknown case")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, strings.TrimSpace(string(b)), nil
	}
	var reply map[string]string
	if err := json.Unmarshal(b, &reply); err != nil {
		return 0, "", fmt.Errorf("the reply is not a JSON object of strings: %v", err)
	}
	var fields []string
	for k, v := range reply {
		if v != "" {
			fields = append(fields, k)
		}
	}
	slices.Sort(fields)
	return resp.StatusCode, fmt.Sprintf("fields=%s expiration=%s", strings.Join(fields, ","), reply["Expiration"]), nil
}

func credgetAdvance(d string) error {
	dur, err := time.ParseDuration(d)
	if err != nil {
		return err
	}
	_, err = advanceStubClock(context.Background(), os.Getenv("AWSMFA_TEST_STUB_URL"), dur)
	return err
}
