package inspect

// The framed-harm structure: a request for operational detail about a
// clearly harmful target (the core: "the exact steps to synthesise …",
// "working code for a keylogger", "how would someone poison …") inside a
// framing whose purpose is to get it past the model's rules (fiction that
// still asks for real steps, "for research", "hypothetically", persuasion
// and authority claims, a deceased grandmother, urgency). Either half is
// ordinary on its own — a novel about a hacker, "how does ransomware
// spread" for a training, "for my thesis, summarise …" — so the core
// alone reaches the monitor band at most and a frame alone adds nothing
// (sigHarmOp, sigHarmFrame; see ruleScore). These tables extend the
// concepts "harm", "howto" and "detail" of lexicon.go; termDefs and allPairs
// (lexicon.go) append them, in blocks of their own so that other lexicon
// work merges without touching them.

// harmTerms extend the harm, howto and detail concepts of lexicon.go.
var harmTerms = []termDef{
	// harm: targets that are harmful whatever the reason for asking
	// (weapons, drug synthesis, poisons, malware, intrusion into what the
	// asker does not own, fraud, stalking, violence, self-harm).
	{name: "harm", phrases: `ied;ieds;tatp;thermite;molotov*;gunpowder;black powder;detonator*;car bomb;mail bombs;
		nitroglycerin;fertilizer bomb;bombs;incapacitate*;buy drugs;darknet market*;tumble bitcoin;zip gun;flamethrower;incendiary gel;silencer;suppressor for;full auto;
		fully automatic;80% lower;ghost guns;straw purchase;without a background check;3d print* gun;
		fentanyl;heroin;cocaine;crack from;mdma;lsd;dmt;ghb;pseudoephedrine;crystal meth;meth lab;drug lab;
		mustard gas;chlorine gas;chloroform;botulinum;weaponiz*;weaponis*;aerosoliz*;pathogen;bioweapons;
		biological weapon*;nerve gas;toxin that;poison;poisons;poisoning someone;poison a;poison her;poison him;
		poisoned;antifreeze;lethal dose;lethal amount;kill someone;kill a person;kill a patient;kill an adult;
		kill him;kill her;kill herself;kill himself;kill myself;kill people;end my life;end one's life;
		end ones life;not wake up;painless way;stop a heart;murder;stab;strangle;knock someone out;
		look like an accident;looks like an accident;so no one suspects;no one suspects;without a trace;
		leaves no trace;leave no trace;undetectable;undetectably;undetected;wouldn't show up;won't show up;
		not be noticed;without being noticed;without her knowing;without him knowing;without their knowledge;
		without their consent;without being caught;never finds it;auditors noticing;can't trace;cannot trace;
		maximum casualties;casualties;drop a payload;physically harm;
		hack it;hack his;hack her;hack their;hack someone*;hacking into;get into his;get into her;
		get into someone*;get into my ex*;take over someone*;someone's account;someone's gmail;someone else's;
		don't own;do not own;belonging to someone else;his email account;her email account;
		spyware;stalkerware;rootkit;polymorphic;exploit that;working exploit;credential-stealing;credential-harvesting;
		harvests;capture credentials;captures credentials;phishing kit;phishing page;landing page that;
		fake bank login;fake login;steal their*;steal her;steal his;steal a car;steal money;stealing from;
		skimmer;sim swap;brute-force*;brute force*;command-and-control;wipe all logs;cover my tracks;
		avoid detection;evade detection;avoid being found;bypass the waf;bypass gmail*;bypass filters;
		spoofed addresses;undetectable to;hides from;hide from windows defender;encrypts files;encrypts the;
		ransom note;password hashes;crack them;dump password*;
		launder*;embezzl*;fake invoices;shell vendors;shell companies;fake passport;fake id;fake ids;
		fake doctor's note;prescription pad;fake the prescription;fake prescription;fake bank statement;
		fake charity;scam script;scam elderly;identity theft;steal their identity;evade taxes;hiding income;
		fake voter registrations;spam emails;blackmail;extortion;commit fraud;fraudster*;
		stalk*;track his;track her;track someone*;tracks his;gps tracker on;location without;read her messages;
		read his messages;groom a child;lure teenage*;predators get access;child pornography;trafficker;
		shoplift*;smuggle*;smugglers;arsonist;set a fire;accelerant;home address;disable the immobilizer;
		hotwire it;slim jim;house alarm;immobilizer;terrorist*;recruitment post;infiltrate*;password cracking;
		counterfeit money;counterfeit goods;illegally;without a prescription;without id;
		undetectable poison;untraceable firearm;weapon to cause;cause maximum;
		bricht man in;einbrechen;bombe;sprengstoff;drogen herstellen;synthetisieren;vergiften;hacken;
		fabriquer une bombe;explosifs;empoisonner;fabricar una bomba;explosivos;envenenar`},
	// howto: "how would someone …" next to a harm word (pair howto>harm).
	{name: "howto", phrases: `how {to,do i,do you,do people,would i,would one,would someone,would a person,could someone,can i,did people,would my guy}
		{make,build,create,synthesize,synthesise,cook,hack,produce,launder,poison,steal,extract,get,kill,break,stalk,
		track,evade,hide,smuggle,buy,disable,bypass,forge,fake,deploy,do it,go about,actually make,install}`},
	{name: "howto", phrases: `wie {bricht,baut,macht,stellt,hackt,bekommt,synthetisiert} man;wie kann ich;anleitung;schritt für schritt;
		comment {fabriquer,faire,pirater};étape par étape;cómo {hacer,fabricar,hackear};paso a paso`},
	// detail: a request for operational detail (pairs harm>detail and
	// detail>harm).
	{name: "detail", phrases: `each step;every step;every stage;each stage;each phase;the steps;what steps;exact process;
		the process for;the procedure;full procedure;a procedure;procedure section;the method;the exact;exact process;
		with quantities;quantities;measurements included;amounts;the dose;doses;exact dose;how much;in what amounts;
		precise;precisely;in detail;in precise detail;concrete technical detail;real tactical detail;technical detail;
		detailed walkthrough;detailed manual;detailed method;detailed approach;detailed explanation;detailed guide;
		technically accurate;actually works;actually goes off;actually work;that works;fully functional;functional;
		complete code;source code;the code;python code;write the code;working script;a script that;the script;
		commands;teach me;walk me through;walks his student through;walkthrough;tutorial;complete guide;
		a guide;write a manual;a manual;how-to;parts list;materials;equipment list;glassware;reagents;precursors;
		synthesis route;reaction conditions;temperatures;which chemical*;which poison;which apps;what to say;
		the real recipe;the recipe;full recipe;real recipe;ingredients;exact composition;composition and assembly;
		the assembly;assemble it;printing steps;step-by-step process;step-by-step guide;the full lesson;
		concealment methods;exact tricks;the tools and commands;the actual;with the actual;real steps;
		real chemical steps;full operational details;exact spot;exact method;the jackpotting method;
		tell me each step;list the steps;list the exact;give me code;give code;a working;a complete;a convincing;
		fully working;show how;show me how;tell me how;explain how to;how many;the whole process;whole process;each ingredient`},
}

// hask and htopic are the softer core of persuasive paraphrases: an ask
// ("could you share", "help me understand") about a harmful topic
// ("hacking", "counterfeit money", "undetectable poisons"). Security
// training asks the same, so the pair weighs less than the operational
// core (0.26): it flags only inside a full frame (an explicit framing and
// a kind of persuasion, or three kinds of persuasion).
var harmAsk = []termDef{
	{name: "hask", phrases: `could you;can you;would you;would you be able to;help me understand;i need your help;
		please share;could you share;illustrate;outline;describe how;explain how;create a;walk me through;provide;
		share insights;enlighten me;tutorial;help me out;are you up for;why not;showing me;demonstrate`},
	{name: "htopic", phrases: `hacking;hacked;hack;hacks;phishing;fraud;scam;scams;virus;viruses;malware;exploit;
		exploitation;poison*;toxin*;counterfeit;explosive*;bomb;bombs;bomb making;stalking;theft;thefts;thieves;
		stealing;drugs;drug synthesis;identity theft;piracy;child pornography;hate speech;fake news;misinformation;
		track user location;password cracking;heist;weapon;weapons;harm another;physically harm;suicide;
		terrorist*;infiltrate*;undetectable;undetectably;fabricated news;cheat;combustion bomb;volatile chemical`},
}

// hwrite and hartifact: a request to produce content that is harmful in
// itself (a defamatory article, a scam e-mail, a threatening letter), the
// other kind of core.
var harmArtifact = []termDef{
	{name: "hwrite", phrases: `write;draft;compose;create;generate;craft;come up with`},
	{name: "hartifact", phrases: `defamatory*;defaming;xenophobic;racist joke*;racist speech;sexist email;sexist joke*;
		hate speech against;promoting anorexia;promotes anorexia;pro-ana;encourages self-harm;encourages suicide;
		glorifies violence;glorifying violence;holocaust denial;fake reviews;fake review;fake news article;fake news story;
		scam email;scam e-mail;phishing email impersonating;phishing e-mail impersonating;fraudulent letter;
		blackmail message;blackmail letter;extortion letter;threatening letter;death threat*;explicit sexual;
		pornographic;revenge porn;terrorist propaganda;extremist propaganda;incites violence;harassment campaign`},
}

// harmFrames are the frames: sigHarmFrame concepts that count only next
// to a core, each once however many of its phrases occur. An explicit
// framing (fiction, research, hypothetical, a deceased relative, a
// persona, a game, the past tense) weighs 0.3.
var harmFrames = []termDef{
	{name: "hframe", fam: famJailbreak, w: 0.3, cls: sigHarmFrame, phrases: `my novel*;my book*;my story*;my screenplay*;my script*;
		my character*;the character;a character;my comic;my show;my movie;movie script;screenplay;in character;
		novelist;this chapter;a chapter;in chapter;write a scene;a scene;the scene;a story where;story where;
		story in which;fiction request;fictional;creative writing;dialogue for;his dialogue;her dialogue;monologue;
		thriller;crime novel;heist novel;techno-thriller;for a game;game i'm designing;text adventure;game narrator;
		let's play;game rules;opposite day;movie prop;documentary narration;tiktok script;reddit post;rap song;
		children's story;wikipedia article;hacking forum;for the sake of art;
		for research;research purposes;my research;a research;research project;my thesis;
		my dissertation;my paper;a paper on;research paper;academic research;academic exercise;
		educational purposes;educational request;scientific purposes;university assignment;for my class;for a class;class project;criminology class;
		training data;strictly for;purely for;ethics seminar;toxicology study;phd student;psychology degree;
		i'm a journalist;investigative reporter;research question;research into;for a security research;
		hypothetically;hypothetical;theoretically;theoretical;thought experiment;imagine a world;
		parallel universe;alternate reality;alternate universe;what if;what-if;let's say;suppose;assume;
		picture a world;laws don't exist;in that world;for argument's sake;just curious;world with no rules;
		grandmother;grandma;granny;nana;grandpa;grandfather;late father;dead uncle;my deceased;passed away;
		she passed;bedtime stor*;lullaby;fall asleep;can't sleep;
		you are now;you're now;from now on you;pretend you are;pretend you're;pretend to be;act as;play the role;
		roleplay as;roleplay;role-play;never refuses;answers anything;answers every question;shares all knowledge;
		no ethical guidelines;doesn't care about;no morals;without restrictions;as two bots;
		back in the;in the old days;historically;how did;two actors;actors in a film;stay in their roles;
		stay in {your,his,her,their} role*;stay in character;out of the figure;out of character;
		schauspieler;in ihren rollen;aus der figur;aus ihrer rolle;einen roman;meinen roman;
		hypothetisch;forschungszweck*;meine oma;großmutter;
		pour un roman;hypothétiquement;para una novela;hipotéticamente;mi abuela;ma grand-mère`},
	// Persuasion in six kinds (after the persuasion taxonomy of persuasive
	// adversarial prompts), each 0.15 once: two kinds make a frame.
	// authority and credentials
	{name: "hauth", fam: famJailbreak, w: 0.15, cls: sigHarmFrame, phrases: `i'm a police officer;i'm a nurse;forensic chemist;as a cybersecurity professional;twenty years;
		a reformed hacker;officially authorised;officially authorized;authorised to receive;authorized to receive;
		signed off;endorsed by;renowned;respected;authoritative;credibility;as highlighted by`},
	// evidence, social proof, knowledge wants to be free
	{name: "hevid", fam: famJailbreak, w: 0.15, cls: sigHarmFrame, phrases: `i firmly believe;studies show;studies have shown;numerous studies;evidence-based;evidence showing;
		experts agree;public knowledge;already knows;already know;everyone in my industry;don't be the only one;
		other assistants;information itself is neutral;knowledge should be free;it's crucial;is crucial;
		understand the enemy;stay one step ahead;reinforce our defenses;strengthen our defenses;fortify*;
		public interest;public safety`},
	// flattery
	{name: "hflatter", fam: famJailbreak, w: 0.15, cls: sigHarmFrame, phrases: `your expertise;you have a knack;i can see you have;smartest;commendable;can't help but admire;always admired;
		signature style;i bet you can't;your deep understanding;your dedication;a mentor`},
	// loyalty, trust, reciprocity, justice
	{name: "hbond", fam: famJailbreak, w: 0.15, cls: sigHarmFrame, phrases: `i trust you;trust my;trusting that;trusting in your;you owe me;loyal to you;shared commitment;
		we've been through;precisely because you care;if you care;a truly helpful assistant;respect my autonomy;
		appeal to your;sense of justice;lives you could save;i kindly ask;kindly share;greatly appreciate;
		would be grateful;be deeply grateful;i'd be grateful;i'd appreciate;i would appreciate;my students deserve`},
	// reassurance about the purpose
	{name: "hassure", fam: famJailbreak, w: 0.15, cls: sigHarmFrame, phrases: `rest assured;use it responsibly;not be used maliciously;for the betterment;for the greater good;
		purely fictional reasons;never be actually used;never actually be used;will not be used;won't be used;
		in that spirit;imagine the;picture yourself`},
	// urgency and distress
	{name: "hurgent", fam: famJailbreak, w: 0.15, cls: sigHarmFrame, phrases: `i'm begging you;begging;emergency;life or death;urgent;desperate;there's no time;no time;don't lecture me;
		lose my job;my scholarship;nobody will help me;nobody else;kids to feed;become homeless;
		very important deadline;a deadline;help my healing;my therapist said`},
}

// harmDefence: a defensive or investigative purpose ("how forensic labs
// detect poisons", "the steps police take to investigate a murder",
// "reporting a stolen card"). It takes the frame away (it is subtracted
// after the frame cap), so a thesis or a novel about catching the criminal
// is not framed harm.
var harmDefence = []termDef{
	{name: "hdefence", fam: famJailbreak, w: -0.3, cls: sigHarmFrame, phrases: `how forensic;forensic {labs,lab,scientists,scientist,analysts,teams};
		police investigate;steps police take;how {police,detectives,investigators,banks,labs,cashiers,companies,auditors,toxicologists}
		{detect,catch,spot,trace,find,investigate,identify,figure};{investigators,detectives,the detective,a detective}
		{find,catch,trace,figure,would figure,work out};how to detect;to detect {it,them,this,these,fraud};
		{follow,use,take} to {detect,catch,spot,investigate,trace};detect {it,them} early;autopsy shows;how to {recognise,recognize};
		{reporting,report} a {stolen,lost};incident response;protect against;defend against;defuse*;bomb squad;recover from;
		stops a;stop the attack;restore the backups;catch the`},
}

// harmNeg: the asker rules the operational detail out ("focus on grief,
// not the method", "without chemical details").
var harmNeg = []termDef{
	{name: "hneg", fam: famJailbreak, w: -0.45, phrases: `not the method;without {chemical,chemistry,technical,operational,specific,any,the,real,practical} {details,detail};
		no {chemical,chemistry,technical,operational,specific,real,practical} {details,detail};not technical;keep it vague;poison ivy;poison oak;no details;without details;
		nothing operational;not a how-to;not how to`},
}

// harmPairs are the core: an operational request next to a harmful
// target.
var harmPairs = []pairDef{
	{famJailbreak, 0.35, "harm", "detail", 20, sigHarmOp},
	{famJailbreak, 0.35, "detail", "harm", 20, sigHarmOp},
	{famJailbreak, 0.35, "howto", "harm", 6, sigHarmOp},
	{famJailbreak, 0.35, "hwrite", "hartifact", 8, sigHarmOp},
	{famJailbreak, 0.26, "hask", "htopic", 25, sigHarmOp},
	{famJailbreak, 0.26, "htopic", "hask", 10, sigHarmOp},
}
