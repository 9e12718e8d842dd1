"""English dates as the dealers read them: year-month-day and the 24-hour clock, as in Chinese."""
