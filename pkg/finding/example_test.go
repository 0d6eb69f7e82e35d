package finding_test

import (
	"encoding/json"
	"fmt"

	"github.com/uccert/uccert/pkg/finding"
)

// A Report collects findings, counts them, and marshals as
// `uccert verify --json` prints them.
func ExampleReport() {
	r := &finding.Report{}
	r.Addf("cert-expires-soon", finding.Warn, "ucc.jks#fe1.uc.example.com", "renew it", "expires on %s", "2027-01-01")
	r.Addf("store-unreadable", finding.OK, "ucc.jks", "", "read: jks, 3 entries")
	fmt.Println(r.Summary(), r.OK())
	r.Strict = true // --strict: warnings fail
	b, _ := json.MarshalIndent(r, "", " ")
	fmt.Println(string(b))
	// Output:
	// {1 1 0} true
	// {
	//  "ok": false,
	//  "summary": {
	//   "passed": 1,
	//   "warnings": 1,
	//   "errors": 0
	//  },
	//  "findings": [
	//   {
	//    "check": "cert-expires-soon",
	//    "severity": "warn",
	//    "subject": "ucc.jks#fe1.uc.example.com",
	//    "message": "expires on 2027-01-01",
	//    "hint": "renew it"
	//   },
	//   {
	//    "check": "store-unreadable",
	//    "severity": "ok",
	//    "subject": "ucc.jks",
	//    "message": "read: jks, 3 entries",
	//    "hint": ""
	//   }
	//  ]
	// }
}

func ExampleCount() {
	fmt.Println(finding.Count(1, "trusted certificate", "trusted certificates"))
	fmt.Println(finding.Count(3, "trusted certificate", "trusted certificates"))
	// Output:
	// 1 trusted certificate
	// 3 trusted certificates
}
