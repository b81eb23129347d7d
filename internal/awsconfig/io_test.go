package awsconfig

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadMissingFileIsEmptyAndSaveCreatesIt0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "config")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Profiles()) != 0 {
		t.Fatalf("profiles in a missing file: %q", f.Profiles())
	}
	if err := f.Set("work", "region", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	if f.LastBackup() != "" {
		t.Errorf("backup of a file that did not exist: %s", f.LastBackup())
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", info.Mode().Perm())
	}
}

func TestSaveBacksUpAndKeepsTheMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	orig := readFixture(t)
	if err := os.WriteFile(path, orig, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("work", "mfa_serial", "arn:aws:iam::1:mfa/w"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	backup := f.LastBackup()
	if !strings.HasPrefix(filepath.Base(backup), "config"+BackupSuffix) {
		t.Fatalf("backup %q", backup)
	}
	if got, _ := os.ReadFile(backup); string(got) != string(orig) {
		t.Errorf("backup content differs from the original")
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(f.Bytes()) {
		t.Errorf("saved content differs from Bytes()")
	}
	if runtime.GOOS != "windows" {
		if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
			t.Errorf("mode after save %v, want 0640", info.Mode().Perm())
		}
		if info, _ := os.Stat(backup); info.Mode().Perm() != 0o600 {
			t.Errorf("backup mode %v, want 0600", info.Mode().Perm())
		}
	}

	// A second save in the same second keeps the first backup.
	if err := f.Set("work", "region", "x"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	if f.LastBackup() == backup {
		t.Fatal("second save overwrote the first backup")
	}
	if got, _ := os.ReadFile(backup); string(got) != string(orig) {
		t.Errorf("first backup changed")
	}

	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestSaveWithoutChangesWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, readFixture(t), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("default", "region", "us-east-1"); err != nil { // already so
		t.Fatal(err)
	}
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	if f.LastBackup() != "" {
		t.Errorf("an unchanged file was backed up to %s", f.LastBackup())
	}
}

func TestSaveWritesThroughASymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles-config")
	link := filepath.Join(dir, "config")
	if err := os.WriteFile(real, []byte("[default]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	f, err := Load(link)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("default", "region", "x"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(link); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(link); err != nil || target != real {
		t.Fatalf("the link was replaced: %q, %v", target, err)
	}
	if got, _ := os.ReadFile(real); string(got) != "[default]\nregion = x\n" {
		t.Errorf("target content %q", got)
	}
}

func TestSaveWritesThroughADanglingSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "aws-config") // not there yet
	if err := os.Mkdir(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config")
	if err := os.Symlink("dotfiles/aws-config", link); err != nil {
		t.Fatal(err)
	}
	f, err := Load(link)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("default", "region", "x"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(link); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(link); err != nil || target != "dotfiles/aws-config" {
		t.Fatalf("the link was replaced: %q, %v", target, err)
	}
	if got, err := os.ReadFile(real); err != nil || !strings.Contains(string(got), "region = x") {
		t.Errorf("target content %q, %v", got, err)
	}
}

func TestLoadReportsTheFileOfAParseError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[default]\nnonsense\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path+" line 2") {
		t.Fatalf("err = %v", err)
	}
}

func TestPathsHonourTheEnvironment(t *testing.T) {
	t.Setenv(ConfigFileEnv, "/elsewhere/cfg")
	t.Setenv(CredentialsFileEnv, "")
	t.Setenv("HOME", "/home/u")
	t.Setenv("USERPROFILE", "/home/u")
	if p, _ := ConfigPath(); p != "/elsewhere/cfg" {
		t.Errorf("ConfigPath = %q", p)
	}
	if p, _ := CredentialsPath(); p != filepath.Join("/home/u", ".aws", "credentials") {
		t.Errorf("CredentialsPath = %q", p)
	}
	t.Setenv(ConfigFileEnv, "~/custom/config")
	if p, _ := ConfigPath(); p != filepath.Join("/home/u", "custom", "config") {
		t.Errorf("ConfigPath with ~ = %q", p)
	}
}
