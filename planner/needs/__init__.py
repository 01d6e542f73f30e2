"""From needs to works (issue 18): suggestions, triage, common problems and the public board."""
