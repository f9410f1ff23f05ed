// Feeds: parsing and validating operator feeds.
import Matching
