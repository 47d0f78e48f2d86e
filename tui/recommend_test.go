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

type fixedRecommender struct{ res recommend.Result }

func (f fixedRecommender) Recommend(context.Context, recommend.Profile) (recommend.Result, error) {
	return f.res, nil
}

func (fixedRecommender) Profiles() (map[string]recommend.Profile, error) { return nil, nil }

// TestRecommendResultsFilter: / and the quick filters narrow the
// recommendation table as they do Market's, and esc clears before it leaves.
func TestRecommendResultsFilter(t *testing.T) {
	pick := func(typ, az string, vcpu int) recommend.Choice {
		return recommend.Choice{Region: "sa-east-1", AvailabilityZone: az, InstanceType: typ, VCPUs: vcpu, MemoryGiB: 8,
			Product: "Linux/UNIX", Last: 0.05, Price: 0.05, Instances: 1, Share: 0.5}
	}
	res := recommend.Result{Region: "sa-east-1", Pools: []recommend.Choice{
		pick("m5.xlarge", "sa-east-1a", 4), pick("c5.xlarge", "sa-east-1b", 4), pick("r5.large", "sa-east-1c", 2)}}
	rv := recommendview.New(fixedRecommender{res}, recommendview.Options{Regions: []string{"sa-east-1"}, Now: demoClock})
	m := newDemoModel(t, 140, 40, Options{Recommend: &rv})
	m = send(t, m, keys("5", "enter")...)
	if !m.rec.ResultsFocused() || !strings.Contains(m.View(), "r5.large") {
		t.Fatalf("no results table:\n%s", m.View())
	}
	m = send(t, m, keys("/", "c", "5", "enter")...)
	v := m.View()
	if !strings.Contains(v, "c5.xlarge") || strings.Contains(v, "m5.xlarge") || strings.Contains(v, "r5.large") {
		t.Fatalf("filter c5 on the results:\n%s", v)
	}
	if !strings.Contains(v, "filter: c5") {
		t.Fatal("the filter line is not shown over the results")
	}
	m = send(t, m, keys("esc")...)
	if m.view != viewRecommend || m.filter.active() || !strings.Contains(m.View(), "r5.large") {
		t.Fatalf("esc: view %v filter %v", m.view, m.filter.active())
	}
	// quick filter vCPU ≥ 4 drops r5.large (2 vCPUs)
	m = send(t, m, keys("f", "up", "up", "up", "enter")...)
	v = m.View()
	if strings.Contains(v, "r5.large") || !strings.Contains(v, "m5.xlarge") {
		t.Fatalf("vCPU ≥ 4 on the results:\n%s", v)
	}
}
