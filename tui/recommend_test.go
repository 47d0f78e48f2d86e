package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/spotscope/spotscope/market/recommend"
	"github.com/spotscope/spotscope/tui/recommendview"
)

type stubRecommender struct{}

func (stubRecommender) Recommend(context.Context, recommend.Profile) (recommend.Result, error) {
	return recommend.Result{}, errors.New("no recommender in this test")
}

func (stubRecommender) Profiles() (map[string]recommend.Profile, error) { return nil, nil }

func withRecommend() Options {
	rv := recommendview.New(stubRecommender{}, recommendview.Options{Regions: []string{"sa-east-1"}, Now: demoClock})
	return Options{Recommend: &rv}
}

func TestRecommendTabIsHosted(t *testing.T) {
	m := newDemoModel(t, 140, 40, withRecommend())
	m = send(t, m, press("5"))
	v := m.View()
	if strings.Contains(v, "not wired in") || !strings.Contains(v, "Recommend") {
		t.Fatalf("recommend tab not shown:\n%s", v)
	}
	if lineCount(v) != 40 {
		t.Fatalf("%d lines", lineCount(v))
	}
	// While its text field has focus, every key is the tab's: q types.
	if m.rec.Capturing() {
		nm, cmd := m.Update(press("q"))
		if cmd != nil {
			if _, quit := cmd().(tea.QuitMsg); quit {
				t.Fatal("q quit while the recommend form was capturing")
			}
		}
		m = nm.(Model)
	}
	m = send(t, m, press("esc"))
	if m.view != viewMarket {
		t.Fatal("esc leaves the recommend tab")
	}
	// ctrl+c always quits.
	if _, cmd := m.Update(press("ctrl+c")); cmd == nil {
		t.Fatal("ctrl+c must quit")
	}
}
