"""Works delivery (issue 19): milestones, progress with photos, the timeline and
acceptance (验收)."""
