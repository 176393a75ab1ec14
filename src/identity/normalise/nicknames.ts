// Common English given-name nicknames mapped to one canonical given name. Small on
// purpose: each entry must be unambiguous enough that treating the two as the same name
// is right far more often than wrong. A level in the matching model, not an equality.
const GROUPS: Record<string, string[]> = {
  william: ['bill', 'billy', 'will', 'willy', 'willie', 'liam'],
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert'],
  richard: ['dick', 'rick', 'ricky', 'rich', 'richie'],
  james: ['jim', 'jimmy', 'jamie'],
  john: ['jack', 'johnny', 'jon'],
  jonathan: ['jonny', 'jono'],
  katherine: ['kate', 'katie', 'kathy', 'cathy', 'kath', 'catherine', 'kathryn', 'kat', 'kitty'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'bess', 'eliza', 'libby', 'elisabeth'],
  margaret: ['maggie', 'meg', 'peggy', 'marge', 'margie', 'greta'],
  thomas: ['tom', 'tommy'],
  michael: ['mike', 'mick', 'mickey', 'mikey'],
  david: ['dave', 'davey'],
  daniel: ['dan', 'danny'],
  christopher: ['chris', 'kit'],
  alexander: ['alex', 'sandy', 'xander'],
  alexandra: ['alexa', 'lexi', 'sasha'],
  samuel: ['sam', 'sammy'],
  benjamin: ['ben', 'benny', 'benji'],
  joseph: ['joe', 'joey'],
  anthony: ['tony'],
  stephen: ['steve', 'stevie', 'steven'],
  andrew: ['andy', 'drew'],
  matthew: ['matt', 'matty'],
  nicholas: ['nick', 'nicky'],
  patrick: ['pat', 'paddy'],
  patricia: ['patty', 'trish', 'tricia'],
  susan: ['sue', 'susie', 'suzy'],
  jennifer: ['jen', 'jenny'],
  jessica: ['jess', 'jessie'],
  rebecca: ['becky', 'becca'],
  edward: ['ed', 'eddie', 'ted', 'teddy', 'ned'],
  charles: ['charlie', 'chuck', 'chas'],
  henry: ['harry', 'hal', 'hank'],
  frederick: ['fred', 'freddie', 'freddy'],
  timothy: ['tim', 'timmy'],
  gregory: ['greg'],
  jeffrey: ['jeff'],
  kenneth: ['ken', 'kenny'],
  lawrence: ['larry', 'laurie'],
  peter: ['pete'],
  raymond: ['ray'],
  ronald: ['ron', 'ronnie'],
  donald: ['don', 'donnie'],
  douglas: ['doug'],
  gerald: ['gerry', 'jerry'],
  leonard: ['len', 'lenny', 'leo'],
  philip: ['phil', 'phillip'],
  victoria: ['vicky', 'vicki', 'tori'],
  deborah: ['debbie', 'deb', 'debra'],
  christine: ['chris', 'chrissy', 'christina', 'tina'],
  jacqueline: ['jackie'],
  samantha: ['sammie'],
  abigail: ['abby', 'abbie'],
  barbara: ['barb', 'babs'],
  dorothy: ['dot', 'dottie', 'dolly'],
  eleanor: ['ellie', 'nell', 'nellie', 'elle'],
  isabella: ['bella', 'izzy'],
  isabelle: ['izzie'],
  judith: ['judy', 'jude'],
  madeline: ['maddie', 'maddy', 'madeleine'],
  penelope: ['penny'],
  theresa: ['terri', 'tess', 'tessa', 'teresa'],
  zachary: ['zach', 'zack'],
  nathaniel: ['nate', 'nat'],
};

const CANONICAL = new Map<string, string>();
for (const [canonical, nicknames] of Object.entries(GROUPS)) {
  CANONICAL.set(canonical, canonical);
  // A nickname listed under two names (chris) keeps its first group: deterministic.
  for (const n of nicknames) if (!CANONICAL.has(n)) CANONICAL.set(n, canonical);
}

/** The canonical given name for a (normalised, single-token) given name; itself if unknown. */
export function canonicalGivenName(name: string): string {
  return CANONICAL.get(name) ?? name;
}
