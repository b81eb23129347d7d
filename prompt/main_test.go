package prompt

import (
	"os"
	"testing"

	"github.com/awsmfa/awsmfa/internal/testenv"
)

// No test writes into the real home directory.
func TestMain(m *testing.M) { os.Exit(testenv.RunWithTempHome(m)) }
