module github.com/careersbot/careersbot

go 1.26

require (
	github.com/kljensen/snowball v0.10.0
	github.com/philippgille/chromem-go v0.7.0
)
