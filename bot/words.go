package bot

import (
	"strings"

	"github.com/careersbot/careersbot/retrieval"
)

// The words questions use to say what they want. Matched on folded words
// (not stems, where stems would mix "route" and "routing").

// kindWords name a list of the standard.
var kindWords = map[string][]retrieval.Kind{
	"knowledge": {retrieval.KindKnowledge}, "knowledges": {retrieval.KindKnowledge},
	"skill": {retrieval.KindSkill}, "skills": {retrieval.KindSkill}, "abilities": {retrieval.KindSkill},
	"behaviour": {retrieval.KindBehaviour}, "behaviours": {retrieval.KindBehaviour},
	"behavior": {retrieval.KindBehaviour}, "behaviors": {retrieval.KindBehaviour},
	"attitudes": {retrieval.KindBehaviour}, "values": {retrieval.KindBehaviour},
	"duty": {retrieval.KindDuty}, "duties": {retrieval.KindDuty}, "tasks": {retrieval.KindDuty},
	"responsibilities": {retrieval.KindDuty},
	"ksb":              {retrieval.KindKnowledge, retrieval.KindSkill, retrieval.KindBehaviour},
	"ksbs":             {retrieval.KindKnowledge, retrieval.KindSkill, retrieval.KindBehaviour},
}

// fillerWords carry no topic in a careers question: they say what is asked
// ("need", "part of the role"), not what about.
var fillerWords = wordSet(`need needs needed require requires required requirement expect expects expected
know knowing understand understands part role roles job jobs standard standards occupation occupations
apprenticeship apprenticeships apprentice apprentices career careers cover covers covered covering
involve involves involved include includes included anything something thing things tell
have has get got must should any mention mentions mentioned say says said also really important
person people someone learner learners student students please thanks thank kind kinds type types
list lists give show all every whole full complete main key typical typically expected required
much many able able does do did doing am going want like would need look looking day-to-day
course courses training become becoming be work-based use used using deal deals dealing
there anyone ever much often usually generally keep keeps make makes making go goes going take takes
taking put puts come comes lot lots way ways kind sort bit actually basically exactly specifically
currently nowadays today now covered okay ok hi hello day days daily typical true
learn learns learning learned learnt teach teaches taught study studies studying trainee trainees
son daughter child kid wants wanted might big stuff one ones properly sure lot whole bit
getting gets apprentice apprentices employee employees worker workers
foundation integrated degree`)

// softFillers are fillers that are the topic when nothing else is: "do they
// keep learning?", "is there training?".
var softFillers = wordSet(`learn learns learning learned learnt teach teaches taught study studies studying
training develop development`)

// yesNoStarts open a question that wants a yes or a no.
var yesNoStarts = wordSet(`is are do does will can should would could has have did am was were`)

// searchNouns, after "which" or "what", ask across occupations:
// "Which apprenticeships involve routing?"
var searchNouns = wordSet(`apprenticeships apprenticeship standards occupations jobs careers roles courses
professions trades`)

// occupationNouns are words that end an occupation's name, beyond those of
// the corpus itself: when a question names "a pastry chef" and the corpus
// has none, the answer says so instead of answering about another one.
var occupationNouns = wordSet(`accountant actor actress administrator adviser advisor analyst animator
architect artist assistant astronaut astronomer athlete auditor baker barber barista barrister
beautician biologist blacksmith bookkeeper brewer bricklayer builder butcher buyer carer carpenter
cashier chef chemist cleaner clerk coach consultant cook counsellor courier dancer dentist designer
detective developer dietitian diver doctor driver economist editor electrician engineer entrepreneur
farmer firefighter fisherman florist gamer gardener geologist groomer guard hairdresser historian
inspector instructor interpreter janitor jeweller journalist judge labourer lawyer lecturer librarian
lifeguard machinist manager mechanic midwife miner musician nanny nurse officer operative
optician paramedic pharmacist photographer physicist physiotherapist pilot plasterer plumber
poet police policeman politician porter postman programmer psychologist radiographer receptionist
researcher roofer sailor salesperson scientist secretary singer soldier solicitor surgeon surveyor
tailor teacher technician therapist trader translator tutor vet veterinarian waiter waitress welder
writer youtuber influencer streamer footballer`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
