"""Small wishes (微心愿) fulfilled by partner units, and partners' pledges to works (issue 18)."""
