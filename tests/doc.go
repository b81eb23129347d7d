// Package tests holds awsmfa's end-to-end tests: the real binary's commands
// run as scripts (testscript) against the project's local STS stand-in, and
// real AWS clients that run awsmfa through credential_process.
package tests
