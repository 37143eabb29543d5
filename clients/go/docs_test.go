package elyzor_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	elyzor "github.com/elyzor/elyzor/clients/go"
)

// The Go examples of docs/clients.md, built as a user's program would be (a module of their own
// that requires this one) and run against a real Elyzor.

var examplePattern = regexp.MustCompile("(?s)<!-- example: (go-[\\w-]+) -->\n```go\n(.*?)```")

func docExamples(t *testing.T) map[string]string {
	page, err := os.ReadFile(filepath.Join("..", "..", "docs", "clients.md"))
	if err != nil {
		t.Fatal(err)
	}
	examples := map[string]string{}
	for _, match := range examplePattern.FindAllStringSubmatch(string(page), -1) {
		examples[match[1]] = match[2]
	}
	return examples
}

// runExample writes the files into a module of its own and runs it; returns what it printed.
func runExample(t *testing.T, files map[string]string, env ...string) string {
	t.Helper()
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module example\n\ngo 1.19\n\nrequire github.com/elyzor/elyzor/clients/go v0.0.0\n\nreplace github.com/elyzor/elyzor/clients/go => " + here + "\n"
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.ReplaceAll(text, "http://localhost:3000", os.Getenv("ELYZOR_URL"))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	command := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "run", ".")
	command.Dir = dir
	command.Env = append(append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off"), env...)
	output, err := command.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, output)
	}
	return string(output)
}

func TestDocsEveryGoExampleOnThePageIsRunHere(t *testing.T) {
	var names []string
	for name := range docExamples(t) {
		names = append(names, name)
	}
	sort.Strings(names)
	equal(t, names, []string{"go-quickstart", "go-verify", "go-webhook"})
}

func TestDocsQuickstart(t *testing.T) {
	server(t)
	output := runExample(t, map[string]string{"main.go": docExamples(t)["go-quickstart"]})
	equal(t, output, "cus_42 99\n404 not_found\n")
}

func TestDocsVerifyInTwoLines(t *testing.T) {
	client, projectID := server(t)
	issued := must[*elyzor.Key](t)(client.Keys.Create(context.Background(), projectID, elyzor.KeyParams{Policy: elyzor.Policy{Scopes: []string{"read:invoices"}}}))
	// The page's two lines, in a program that gives them ctx, key and callerAddress.
	program := "package main\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"log\"\n\t\"os\"\n\n\telyzor \"github.com/elyzor/elyzor/clients/go\"\n)\n\nfunc main() {\n" +
		"\tctx, key, callerAddress := context.Background(), os.Getenv(\"EXAMPLE_KEY\"), \"203.0.113.7\"\n" + docExamples(t)["go-verify"] +
		"\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tfmt.Println(result.Valid)\n}\n"
	equal(t, runExample(t, map[string]string{"main.go": program}, "EXAMPLE_KEY="+issued.Plaintext), "true\n")
}

func TestDocsWebhook(t *testing.T) {
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("a webhook secret of 24 b"))
	body := `{"type":"key.created","data":{"id":"k"}}`
	timestamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("a webhook secret of 24 b"))
	mac.Write([]byte("msg_1." + timestamp + "." + body))
	signature := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	// The page's handler, called with a signed delivery and with a tampered one.
	main := `package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
)

func main() {
	for _, body := range []string{os.Getenv("BODY"), strings.Replace(os.Getenv("BODY"), "created", "revoked", 1)} {
		request := httptest.NewRequest(http.MethodPost, "/webhooks/elyzor", strings.NewReader(body))
		request.Header.Set("webhook-id", "msg_1")
		request.Header.Set("webhook-timestamp", os.Getenv("TIMESTAMP"))
		request.Header.Set("webhook-signature", os.Getenv("SIGNATURE"))
		recorder := httptest.NewRecorder()
		handleWebhook(recorder, request)
		fmt.Println(recorder.Code)
	}
}
`
	output := runExample(t, map[string]string{"handler.go": docExamples(t)["go-webhook"], "main.go": main},
		"ELYZOR_WEBHOOK_SECRET="+secret, "BODY="+body, "TIMESTAMP="+timestamp, "SIGNATURE="+signature)
	equal(t, output, "key.created\n204\n400\n")
}
