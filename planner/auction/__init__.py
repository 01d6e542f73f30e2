"""The live reverse auction among a work's bidders after the sealed opening (issue 20):
settings, the deterministic schedule of turns, anonymous numbers, bids, and the result
written as a new round of each bidder's quote (docs/auction.md)."""
