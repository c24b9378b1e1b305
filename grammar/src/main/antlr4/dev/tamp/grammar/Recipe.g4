/*
 * The tamp recipe language: compression recipes (`recipe NAME { ... }`) and hardware target specs
 * (`target NAME { ... }`). This file is the single source of truth for the language's syntax; the vocabulary of
 * option names and methods per statement lives in the compiler's statement schema, which checks what this grammar
 * accepts. docs/language.md is the reference.
 *
 * Statements end at a newline or a `;`. A newline inside braces, after a comma or after `..` continues the line.
 */
grammar Recipe;

// ---------------------------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------------------------

compilationUnit
    : sep? (declaration (sep declaration)* sep?)? EOF
    ;

declaration
    : RECIPE name=identifier LBRACE sep? (statement (sep statement)* sep?)? RBRACE      #recipeDeclaration
    | TARGET name=identifier optionBlock                                               #targetDeclaration
    ;

statement
    : MODEL path=STRING                                                               #modelStatement
    | DATA name=identifier? path=STRING? optionBlock?                                 #dataStatement
    | TARGET (path=STRING | ref=identifier)                                           #targetStatement
    | SEED seed=NUMBER                                                                #seedStatement
    | BUDGET LBRACE sep? (budgetEntry (sep budgetEntry)* sep?)? RBRACE                #budgetStatement
    | EMIT language=identifier optionBlock?                                           #emitStatement
    | passKind selector? optionBlock?                                                 #passStatement
    ;

passKind
    : PRUNE | QUANTIZE | HASH | FACTORIZE | STRUCTURE | COMPACT | REGULARIZE | ENCODE | FINETUNE | DISTILL
    ;

budgetEntry
    : metric=identifier comparison budgetBound
    ;

comparison
    : LE | LT | GE | GT | EQ
    ;

budgetBound
    : BASELINE (sign=(PLUS | MINUS) quantity)?                                         #baselineBound
    | quantity                                                                        #absoluteBound
    ;

// ---- Layer selectors ------------------------------------------------------------------------------------------

selector
    : include+=selectorTerm (COMMA nl? include+=selectorTerm)* (EXCEPT exclude+=selectorTerm (COMMA nl? exclude+=selectorTerm)*)?
    ;

selectorTerm
    : STAR                                                                            #allLayers
    | GLOB                                                                            #globSelector
    | REGEX                                                                           #regexSelector
    | TYPE opType=identifier                                                          #opTypeSelector
    | HASHMARK position=NUMBER                                                        #positionSelector
    | STRING                                                                          #quotedNameSelector
    | identifier                                                                      #nameSelector
    ;

// ---- Options --------------------------------------------------------------------------------------------------

optionBlock
    : LBRACE sep? (option (sep option)* sep?)? RBRACE
    ;

option
    : key=identifier value
    ;

value
    : AUTO (IN domain=autoDomain)?                                                    #autoValue
    | low=quantity DOTDOT nl? high=quantity                                           #rangeValue
    | LBRACE nl? value (COMMA nl? value)* nl? RBRACE                                  #setValue
    | optionBlock                                                                     #blockValue
    | quantity                                                                        #quantityValue
    | numerator=NUMBER SLASH denominator=NUMBER                                       #fractionValue
    | left=NUMBER COLON right=NUMBER                                                  #ratioValue
    | SHAPE                                                                           #shapeValue
    | STRING                                                                          #stringValue
    | identifier                                                                      #wordValue
    ;

autoDomain
    : low=quantity DOTDOT nl? high=quantity                                           #autoRange
    | LBRACE nl? quantity (COMMA nl? quantity)* nl? RBRACE                            #autoSet
    ;

quantity
    : sign=MINUS? NUMBER unit?
    ;

unit
    : PERCENT | BYTES | KB | MB | GB | KIB | MIB | GIB | BIT | BITS
    | NS | US | MS | SECONDS | EPOCH | EPOCHS | STEPS
    | KB_PER_S | MB_PER_S | GB_PER_S
    | FLOPS | MFLOPS | GFLOPS | TFLOPS | OPS | MOPS | GOPS | TOPS
    | MHZ | GHZ
    ;

// Keywords are reserved only where they start a statement; everywhere a name is expected they are plain words, so a
// layer called `model` or an option called `epochs` needs no quoting.
identifier
    : IDENT
    | RECIPE | TARGET | MODEL | DATA | SEED | BUDGET | EMIT
    | PRUNE | QUANTIZE | HASH | FACTORIZE | STRUCTURE | COMPACT | REGULARIZE | ENCODE | FINETUNE | DISTILL
    | EXCEPT | TYPE | AUTO | IN | BASELINE
    | unit
    ;

sep
    : (NL | SEMI)+
    ;

nl
    : NL+
    ;

// ---------------------------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------------------------

// Declarations and statements
RECIPE     : 'recipe';
TARGET     : 'target';
MODEL      : 'model';
DATA       : 'data';
SEED       : 'seed';
BUDGET     : 'budget';
EMIT       : 'emit';

// Pass families (the survey's taxonomy)
PRUNE      : 'prune';
QUANTIZE   : 'quantize';
HASH       : 'hash';
FACTORIZE  : 'factorize';
STRUCTURE  : 'structure';
COMPACT    : 'compact';
REGULARIZE : 'regularize';
ENCODE     : 'encode';
FINETUNE   : 'finetune';
DISTILL    : 'distill';

// Selector and value words
EXCEPT     : 'except';
TYPE       : 'type';
AUTO       : 'auto';
IN         : 'in';
BASELINE   : 'baseline';

// Units. Sizes: KB, MB, GB are decimal (1000^n); KiB, MiB, GiB binary (1024^n).
PERCENT    : '%';
BYTES      : 'B';
KB         : 'KB';
MB         : 'MB';
GB         : 'GB';
KIB        : 'KiB';
MIB        : 'MiB';
GIB        : 'GiB';
BIT        : 'bit';
BITS       : 'bits';
NS         : 'ns';
US         : 'us';
MS         : 'ms';
SECONDS    : 's';
EPOCH      : 'epoch';
EPOCHS     : 'epochs';
STEPS      : 'steps';
KB_PER_S   : 'KB/s';
MB_PER_S   : 'MB/s';
GB_PER_S   : 'GB/s';
FLOPS      : 'FLOPS';
MFLOPS     : 'MFLOPS';
GFLOPS     : 'GFLOPS';
TFLOPS     : 'TFLOPS';
OPS        : 'OPS';
MOPS       : 'MOPS';
GOPS       : 'GOPS';
TOPS       : 'TOPS';
MHZ        : 'MHz';
GHZ        : 'GHz';

// Punctuation and operators
LBRACE     : '{';
RBRACE     : '}';
COMMA      : ',';
SEMI       : ';';
DOTDOT     : '..';
COLON      : ':';
SLASH      : '/';
STAR       : '*';
HASHMARK   : '#';
PLUS       : '+';
MINUS      : '-';
LE         : '<=';
LT         : '<';
GE         : '>=';
GT         : '>';
EQ         : '==';

// Literals
SHAPE      : DIGIT+ ('x' DIGIT+)+;
NUMBER     : DIGIT+ ('.' DIGIT+)? EXPONENT? | '.' DIGIT+ EXPONENT?;
STRING     : '"' (~["\\\r\n] | ESCAPE)* '"';
REGEX      : 're"' (~["\\\r\n] | ESCAPE)* '"';
// A name with a wildcard: `conv*`, `fc?`, `layer1.*`.
GLOB       : NAME_CHAR* [*?] (NAME_CHAR | [*?])*;
// Names may contain dots (`fc1.weight`) and inner hyphens followed by a letter (`per-channel`, `l1-filter`).
IDENT      : NAME_START NAME_PART* ('-' NAME_START NAME_PART*)*;

// Layout
NL              : ('\r'? '\n' | '\r');
WS              : [ \t\f\u00A0\uFEFF]+ -> channel(HIDDEN);
LINE_COMMENT    : '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT   : '/*' .*? '*/' -> channel(HIDDEN);

// Error tokens: the lexer never fails; the compiler reports these with their position and a precise message.
UNTERMINATED_STRING  : '"' (~["\\\r\n] | ESCAPE)*;
UNTERMINATED_REGEX   : 're"' (~["\\\r\n] | ESCAPE)*;
// Only a comment that never reaches `*/`: matching `.*? EOF` would be longer than any closed comment and win.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF;
UNKNOWN_CHAR         : .;

fragment DIGIT      : [0-9];
fragment EXPONENT   : [eE] [+-]? DIGIT+;
fragment ESCAPE     : '\\' ~[\r\n]?;
fragment NAME_START : [a-zA-Z_];
fragment NAME_PART  : [a-zA-Z0-9_] | '.' [a-zA-Z0-9_];
fragment NAME_CHAR  : [a-zA-Z0-9_.];
